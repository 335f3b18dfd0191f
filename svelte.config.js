// Svelte 5 compiles `<script lang="ts">` natively (type stripping); no preprocessor needed.
export default {};
