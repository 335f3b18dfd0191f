/** How every browser test launches Debian's Chromium (installed by scripts/ensure-chromium.sh). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  // Real WebGPU adapter (SwiftShader) on machines without a GPU, so the WebGPU path is tested.
  '--enable-unsafe-webgpu',
  // This machine has no internet: keep Chromium from trying to reach Google services.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--no-first-run',
  '--disable-quic',
];
