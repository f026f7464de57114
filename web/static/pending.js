// A form whose answer takes a while (the dry run simulates cases for some seconds) says so on its button while
// the page waits, and cannot be sent twice.
(function () {
  document.querySelectorAll("form[data-pending-text]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (!button) { return; }
      // Disabled after this event, so the button's own click still sends the form.
      setTimeout(function () {
        button.disabled = true;
        button.textContent = form.dataset.pendingText;
      }, 0);
    });
  });
})();
