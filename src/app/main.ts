import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

mount(App, { target: document.getElementById('app')! });

// Offline after the first visit (src/sw/service-worker.ts); registered once the page has loaded so
// that its caching never competes with the first render. Built app only (the dev server, which has
// hot reload, has no sw.js; import.meta.env.PROD would also be false in builds made under vitest).
if (!import.meta.hot && 'serviceWorker' in navigator) {
  addEventListener('load', () => {
    navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`).catch((error: Error) => console.warn(`offline mode unavailable: ${error.message}`));
  });
}
