/* A code slip's QR link carries the access code in the URL fragment (/iit/<token>#CODE),
   which browsers never send to a server or proxy.  Move it into the code form, take it out
   of the address bar and history, and move on to the eligibility box: the person confirms
   it and sends both by POST.  Without JavaScript the person types the code printed on the
   slip.  See SECURITY.md. */
(function () {
  "use strict";
  function useFragment() {
    var fragment = window.location.hash.slice(1);
    if (!fragment) {
      return;
    }
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    var field = document.getElementById("code");
    if (!field || !field.form) {
      return;
    }
    var code;
    try {
      code = decodeURIComponent(fragment);
    } catch (e) {
      code = fragment;
    }
    field.value = code.slice(0, 40);
    var eligible = document.getElementById("eligible");
    (eligible || field).focus();
  }
  useFragment();
  // A slip scanned while this page is already open changes only the fragment.
  window.addEventListener("hashchange", useFragment);
})();
