// opsbook: client-side filtering of record lists (no server needed) and
// the print button (no inline handlers in the HTML).
(function () {
  'use strict';
  document.querySelectorAll('button.print').forEach(function (b) {
    b.addEventListener('click', function () { window.print(); });
  });
  document.querySelectorAll('[data-filter-for]').forEach(function (box) {
    var table = document.getElementById(box.getAttribute('data-filter-for'));
    if (!table) return;
    var text = box.querySelector('.filter-text');
    var status = box.querySelector('.filter-status');
    var count = box.querySelector('.filter-count');
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    function apply() {
      var q = (text && text.value || '').normalize('NFKC').toLowerCase().trim();
      var st = status ? status.value : '';
      var shown = 0;
      rows.forEach(function (tr) {
        var ok = (!q || tr.textContent.normalize('NFKC').toLowerCase().indexOf(q) >= 0) &&
                 (!st || tr.getAttribute('data-status') === st);
        tr.hidden = !ok;
        if (ok) shown++;
      });
      if (count) count.textContent = '显示 ' + shown + ' / ' + rows.length;
    }
    if (text) text.addEventListener('input', apply);
    if (status) status.addEventListener('change', apply);
    apply();
  });
})();
