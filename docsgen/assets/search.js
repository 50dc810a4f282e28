// In-page search: hide every entry that does not contain all the words typed, and the navigation
// links and sections left empty. "/" focuses the box, Escape clears it, #q=... pre-fills it.
(function () {
  "use strict";
  var input = document.getElementById("search");
  var status = document.getElementById("search-status");
  var entries = Array.prototype.slice.call(document.querySelectorAll("[data-search]"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-group]"));
  var links = Array.prototype.slice.call(document.querySelectorAll("nav.toc a[href^='#']"));
  var toc = document.querySelector("nav.toc details");
  var texts = entries.map(function (el) { return el.textContent.toLowerCase(); });

  function visible(el) {
    return el && !el.closest("[hidden]");
  }

  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    entries.forEach(function (el, i) {
      var hit = words.every(function (w) { return texts[i].indexOf(w) !== -1; });
      el.hidden = !hit;
      if (hit) { shown += 1; }
    });
    groups.forEach(function (group) {
      group.hidden = words.length > 0 && !group.querySelector("[data-search]:not([hidden])");
    });
    links.forEach(function (a) {
      var target = document.getElementById(decodeURIComponent(a.getAttribute("href").slice(1)));
      a.parentElement.hidden = words.length > 0 && !visible(target);
    });
    status.value = words.length ? shown + (shown === 1 ? " match" : " matches") : "";
  }

  input.addEventListener("input", apply);
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement !== input) {
      event.preventDefault();
      input.focus();
    } else if (event.key === "Escape" && document.activeElement === input) {
      input.value = "";
      apply();
    }
  });
  // Wide screens keep the contents open; on a phone they fold away after a jump.
  var wide = window.matchMedia("(min-width: 901px)");
  function fitContents() { if (toc) { toc.open = wide.matches; } }
  fitContents();
  wide.addEventListener("change", fitContents);
  links.forEach(function (a) {
    a.addEventListener("click", function () {
      if (toc && !wide.matches) { toc.open = false; }
    });
  });
  var match = /^#q=(.*)$/.exec(window.location.hash);
  if (match) {
    input.value = decodeURIComponent(match[1]);
    apply();
  }
})();
