/**
 * The dashboard's stylesheet and script, served by its own server: nothing is loaded from
 * anywhere else, so the page works offline and the Content-Security-Policy can say `'self'`.
 * The script only follows the server-sent events and puts the server's (escaped) HTML in place.
 */

/** The stylesheet (`/dashboard.css`). */
export const DASHBOARD_CSS = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1b1f24; margin: 1.5rem auto; max-width: 80rem; padding: 0 1rem; }
header { display: flex; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
h1 { font-size: 1.6rem; margin: 0; } h2 { font-size: 1.2rem; margin-top: 1.6rem; border-bottom: 1px solid #d0d7de; } h3 { font-size: 1rem; }
.muted { color: #57606a; } .ok { color: #1a7f37; } .bad { color: #cf222e; } .run { color: #0b5cad; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 1rem; background: #f3f5f7; font-weight: 600; }
.badge.ok { background: #dafbe1; } .badge.bad { background: #ffebe9; } .badge.run { background: #ddf4ff; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: .8rem; margin: 1rem 0; }
.card { border: 1px solid #d0d7de; border-radius: 8px; padding: .7rem .9rem; }
.card .label { color: #57606a; font-size: .85rem; } .card .value { font-size: 1.35rem; font-weight: 600; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid #d0d7de; padding: .35rem .45rem; text-align: left; vertical-align: middle; }
th { background: #f6f8fa; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.bar { white-space: nowrap; }
progress { width: 8rem; height: .8rem; vertical-align: middle; accent-color: #2563eb; }
svg.plot { width: 100%; max-width: 60rem; height: auto; border: 1px solid #d0d7de; border-radius: 6px; background: #fff; }
ul.failures li { margin: .15rem 0; } code { font-size: 12px; }
.link { width: .7rem; height: .7rem; border-radius: 50%; display: inline-block; background: #8c959f; }
.link.on { background: #1a7f37; } .link.off { background: #cf222e; }
@media print { .link { display: none; } body { margin: 0; max-width: none; } }
`;

/** The script (`/dashboard.js`): applies each snapshot the server sends. */
export const DASHBOARD_JS = `'use strict';
(function () {
  var live = document.getElementById('live');
  var link = document.getElementById('link');
  var source = new EventSource('events');
  source.addEventListener('snapshot', function (event) {
    var data = JSON.parse(event.data);
    live.innerHTML = data.html;
    document.title = data.title;
    link.className = 'link on';
  });
  source.onerror = function () { link.className = 'link off'; };
})();
`;
