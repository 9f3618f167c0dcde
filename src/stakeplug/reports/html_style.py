"""The HTML report's style sheet: system fonts, the charts' lines and labels, and a print layout."""

from __future__ import annotations

__all__ = ["STYLE"]

STYLE = """
:root{--ink:#1d2430;--muted:#5b6473;--line:#d9dee7;--paper:#ffffff;--band:#f4f6f9;--risk:#b3261e}
*{box-sizing:border-box}
body{margin:0;background:var(--band);color:var(--ink);
 font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif;
 -webkit-print-color-adjust:exact;print-color-adjust:exact}
header,main,footer{max-width:1120px;margin:0 auto;padding:0 24px}
header{padding-top:28px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:19px;margin:0 0 12px}
h3{font-size:16px;margin:0 0 4px;display:flex;gap:10px;align-items:center;flex-wrap:wrap}
.meta,.note{color:var(--muted);font-size:13px;margin:2px 0 10px}
.banner{background:#fff4e5;border-left:5px solid #D55E00;padding:10px 14px;border-radius:6px;margin:12px 0}
.tiles{display:flex;flex-wrap:wrap;gap:10px;list-style:none;padding:0;margin:14px 0 20px}
.tiles li{background:var(--paper);border:1px solid var(--line);border-radius:8px;padding:8px 14px;
 display:flex;gap:10px;align-items:center}
.tiles strong{font-size:20px}
.tiles .alarm{border-color:var(--risk);background:#fdeceb}
section{background:var(--paper);border:1px solid var(--line);border-radius:10px;padding:18px 20px;
 margin:0 0 18px;overflow-x:auto}
figure{margin:0}
.chart{width:100%;height:auto;display:block}
.map .frame{fill:none;stroke:#9aa3b2;stroke-width:1}
.map .threshold{stroke:#9aa3b2;stroke-width:1;stroke-dasharray:5 4}
.map .tick{stroke:#9aa3b2}
.map .gridline{stroke:#1d2430;stroke-opacity:.06}
.map .leader{stroke:#7a8494;stroke-width:.8}
.map .marker polygon,.map .marker rect,.map .marker circle:not(.risk-ring):not(.baseline){fill-opacity:.92}
.tick-label{font-size:12px;fill:var(--muted)}
.axis-label{font-size:13px;fill:var(--muted)}
.region-name{font-size:14px;font-weight:700;letter-spacing:.04em;text-transform:uppercase;opacity:.9}
.map .name{font-size:12.5px;fill:var(--ink);paint-order:stroke;stroke:#ffffff;stroke-width:3.5px;
 stroke-linejoin:round}
.map .risk-ring{fill:none;stroke:var(--risk);stroke-width:2.5}
.map .fall{stroke:var(--risk);stroke-width:1.5;stroke-dasharray:2 3}
.map .baseline{fill:none;stroke:var(--risk);stroke-width:1.2;stroke-dasharray:2 2}
.map .moved{stroke:#444444;stroke-width:1.6;fill:none}
.map .moved.older{stroke-dasharray:4 3;stroke:#777777}
.map .then{fill:#ffffff;stroke:#444444;stroke-width:1.2}
.legend{display:flex;flex-wrap:wrap;gap:8px 18px;list-style:none;padding:0;margin:10px 0 0;font-size:13px;
 color:var(--muted);align-items:center}
.key-ring{display:inline-block;width:14px;height:14px;border:2.5px solid var(--risk);border-radius:50%;
 margin-right:6px;vertical-align:-3px}
.cat{display:inline-flex;gap:5px;align-items:center;font-size:13px;font-weight:600;white-space:nowrap}
.icon{flex:none}
.grid .box{fill:#f7f8fa;stroke:#c9d0db}
.grid .box.key{fill:#eef6f2;stroke:#8fc5ad}
.grid .box-name{font-size:15px;font-weight:700;fill:var(--ink)}
.grid .box-count{font-size:15px;fill:var(--muted)}
.grid text{font-size:13.5px;fill:var(--ink)}
.grid .grid-category{fill:var(--muted);font-size:12px}
details{margin-top:10px}
summary{cursor:pointer;color:var(--muted);font-size:13px}
table{border-collapse:collapse;width:100%;margin-top:8px;font-size:13.5px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);background:var(--band)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.risk{color:var(--risk)}
.tasks .why{color:var(--muted);font-size:12.5px;margin-top:2px}
.tasks td:nth-child(2){white-space:nowrap}
.links{font-size:12.5px;white-space:nowrap}
.nowrap{white-space:nowrap}
.status{display:inline-block;white-space:nowrap;font-size:12px;font-weight:600;border-radius:10px;
 padding:1px 9px;
 margin-right:6px;
 background:#e8ebf0;color:#3b4350}
.st-created{background:#dff3ea;color:#0b5e41}
.st-exists{background:#e3f0fa;color:#0b4f80}
.st-failed{background:#fde2e0;color:var(--risk)}
.src-failed,.src-partial{color:var(--risk);font-weight:600}
.people{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:12px}
.person{border:1px solid var(--line);border-radius:8px;padding:12px 14px}
.person .risk{font-weight:600;margin:4px 0}
.signals{font-size:13px;margin:4px 0}
.spark-box{margin:6px 0}
.spark .spark-line{fill:none;stroke:#0072B2;stroke-width:1.8}
.spark .spark-base{stroke:#9aa3b2;stroke-dasharray:3 3}
.spark .spark-end{fill:#0072B2}
.plus{color:#0b5e41;font-weight:700}
.minus{color:var(--risk);font-weight:700}
code{font-size:12.5px;background:var(--band);padding:0 4px;border-radius:4px}
a{color:#0b4f80}
footer{color:var(--muted);font-size:12px;padding-bottom:28px}
@media print{
 body{background:#ffffff;font-size:11pt}
 section{border:none;padding:0;margin:0 0 14pt;break-inside:auto}
 #map,#grid,.person{break-inside:avoid}
 header,main,footer{max-width:none;padding:0}
 summary{display:none}
 a{color:inherit;text-decoration:none}
 table{font-size:9.5pt}
 .tasks td:nth-child(3){width:46%}
 .tasks td:nth-child(2),.status,.links{white-space:normal}
 .people{grid-template-columns:1fr 1fr}
}
@page{margin:14mm}
"""
