// Person fields: as someone types, ask the server who they could mean and offer them in the field's list.
(function () {
  "use strict";
  var WAIT_MS = 150;

  function attach(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) { return; }
    var timer = null;
    var asked = "";

    function show(people) {
      list.textContent = "";
      people.forEach(function (person) {
        var option = document.createElement("option");
        option.value = person.label;
        if (person.unit) { option.label = person.unit; }
        list.appendChild(option);
      });
    }

    function ask() {
      var text = input.value.trim();
      // A chosen suggestion ("Name (id)") needs no new list; one letter would match half the region.
      if (text.length < 2 || text === asked || /\([^()]+\)$/.test(text)) { return; }
      asked = text;
      fetch(input.dataset.personSearch + "?q=" + encodeURIComponent(text), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (found) {
          if (input.value.trim() === text) { show(found.people); }
        })
        .catch(function () { asked = ""; });  // typing on asks again; the server still checks what is sent
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, WAIT_MS);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-person-search]"), attach);
})();
