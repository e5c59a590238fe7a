/* Light or dark, as the system is set: Bootstrap 5.3's colour modes follow
   `data-bs-theme` on <html>. Loaded in <head> without `defer`, so the first paint
   is already in the right mode; a file, because the CSP allows no inline script.
   Without JavaScript the site stays light. */
(() => {
  const dark = window.matchMedia("(prefers-color-scheme: dark)");
  const apply = () => {
    document.documentElement.setAttribute("data-bs-theme", dark.matches ? "dark" : "light");
  };
  apply();
  // The system switches (at sunset, say) while the page is open.
  dark.addEventListener("change", apply);
})();
