// The console's keyboard shortcuts on the review queue, and the inbox's saved
// replies; everything also works without them (plain forms and links).
(function () {
  "use strict";
  function items() { return Array.prototype.slice.call(document.querySelectorAll(".item")); }
  var current = -1;
  function select(index) {
    var all = items();
    if (!all.length) return;
    index = Math.max(0, Math.min(all.length - 1, index));
    if (all[current]) all[current].classList.remove("current");
    current = index;
    all[current].classList.add("current");
    all[current].focus();
    all[current].scrollIntoView({ block: "nearest" });
  }
  function within(selector) {
    var all = items();
    return all[current] ? all[current].querySelector(selector) : null;
  }
  function typing(target) {
    return /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable;
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.metaKey) return;
    var target = event.target;
    if (event.key === "Escape" && typing(target)) { select(current); return; }
    if (event.key === "Enter" && (event.ctrlKey) && target.tagName === "TEXTAREA" && target.form) {
      event.preventDefault(); target.form.requestSubmit(); return;
    }
    if (event.key === "Enter" && target.tagName === "SELECT" && target.form && target.form.classList.contains("reject")) {
      event.preventDefault(); target.form.requestSubmit(); return;
    }
    if (typing(target) || event.ctrlKey) return;
    var help = document.getElementById("keys");
    switch (event.key) {
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "a": var approve = within("form.approve"); if (approve) approve.requestSubmit(); break;
      case "r": var reason = within("form.reject select"); if (reason) reason.focus(); break;
      case "e": var text = within("form.redact textarea"); if (text) text.focus(); break;
      case "b": var bulk = document.getElementById("bulk-action"); if (bulk) bulk.focus(); break;
      case "x": var box = within("input.select"); if (box) box.checked = !box.checked; break;
      case "?": if (help) help.hidden = !help.hidden; break;
      default: return;
    }
    event.preventDefault();
  });
  document.addEventListener("focusin", function (event) {
    var item = event.target.closest ? event.target.closest(".item") : null;
    if (!item) return;
    var index = items().indexOf(item);
    if (index !== current) {
      if (items()[current]) items()[current].classList.remove("current");
      current = index;
      item.classList.add("current");
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    // After a decision, the answer after the decided one (data-resume), not the
    // first: a moderator who skipped some goes on from where they were.
    var resume = document.querySelector(".item[data-resume]");
    if (items().length && !document.querySelector("[autofocus]")) select(resume ? items().indexOf(resume) : 0);
    // The inbox: a saved reply chosen fills the reply box, where it can be changed.
    var saved = document.getElementById("saved");
    var box = document.getElementById("reply-text");
    if (saved && box) {
      var filled = "";
      saved.addEventListener("change", function () {
        var option = saved.options[saved.selectedIndex];
        var text = option ? option.getAttribute("data-text") || "" : "";
        if (box.value === "" || box.value === filled) { box.value = text; filled = text; }
      });
    }
  });
})();
