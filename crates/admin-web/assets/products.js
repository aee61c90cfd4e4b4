// The Products page's "Select all" box: ticking it ticks every product's box, clearing it
// clears them, and it follows them (ticked when all are, mixed when some are). Without this
// script the box still works: the server reads it as "every product".
(function () {
  var all = document.getElementById("select-all");
  if (!all) {
    return;
  }
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[name=product]"));
  all.addEventListener("change", function () {
    boxes.forEach(function (box) {
      box.checked = all.checked;
    });
  });
  boxes.forEach(function (box) {
    box.addEventListener("change", function () {
      var ticked = boxes.filter(function (b) { return b.checked; }).length;
      all.checked = ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
    });
  });
})();
