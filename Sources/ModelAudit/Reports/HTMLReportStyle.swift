import Foundation

extension HTMLReportRenderer {
    /// The page's only style sheet, inline: screen and print, no fonts or images to fetch.
    static let css = """
        :root { color-scheme: light; --fg: #1a1a1a; --muted: #4a4f57; --line: #c9ced6; --head: #eef1f5;
          --fail: #a4161a; --fail-bg: #fde8e8; --error: #6b21a8; --error-bg: #f3e8ff; --warn: #7a4d00;
          --warn-bg: #fff4d6; --waived: #0b5c75; --waived-bg: #e3f4f9; --pass: #1b6e34; --pass-bg: #e7f5ea;
          --na: #4a4f57; --na-bg: #eef0f3; }
        body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
          color: var(--fg); background: #fff; margin: 0 auto; padding: 1.5rem; max-width: 80rem; }
        h1 { margin: 0 0 .5rem; font-size: 1.8rem; }
        h2 { margin-top: 2rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem; }
        code { font: .9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
        code.digest { font-size: .8em; }
        table { border-collapse: collapse; margin: .75rem 0; width: 100%; }
        caption { text-align: left; font-weight: 600; padding: .3rem 0; }
        th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top;
          overflow-wrap: break-word; }
        .wide { overflow-x: auto; max-width: 100%; }
        #waivers td:first-child, #waivers th:first-child { overflow-wrap: normal; white-space: nowrap; }
        thead th { background: var(--head); overflow-wrap: normal; }
        td.num { overflow-wrap: normal; white-space: nowrap; }
        #verdicts thead th { white-space: nowrap; }
        tbody th { font-weight: 600; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        table.facts { width: auto; }
        table.signers tbody th { overflow-wrap: anywhere; }
        .overall { font-size: 1.1rem; }
        .badge { display: inline-block; padding: .05rem .45rem; border: 1px solid currentColor; border-radius: .3rem;
          font-weight: 600; white-space: nowrap; }
        .fail { color: var(--fail); } .badge.fail, td.cov.failed { background: var(--fail-bg); color: var(--fail); }
        .error { color: var(--error); } .badge.error, td.cov.error { background: var(--error-bg); color: var(--error); }
        .warn { color: var(--warn); } .badge.warn, td.cov.warned { background: var(--warn-bg); color: var(--warn); }
        .waived { color: var(--waived); } .badge.waived { background: var(--waived-bg); }
        .pass { color: var(--pass); } .badge.pass, td.cov.satisfied { background: var(--pass-bg); color: var(--pass); }
        .na { color: var(--na); } .badge.na, td.cov.not-covered { background: var(--na-bg); color: var(--na); }
        .path, .waiver, .legend, .values, .pointer, .remedy, .severity, .controls, .more, .times, p.expected {
          color: var(--muted); font-size: .9em; }
        .severity, .times { font-weight: 600; }
        dl.model-facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
        dl.model-facts dt { font-weight: 600; } dl.model-facts dd { margin: 0; overflow-wrap: anywhere; }
        a { color: #0b4f9c; }
        .overview { display: flex; flex-wrap: wrap; gap: .5rem 2.5rem; align-items: flex-start; }
        .overview figure.chart { flex: 0 0 auto; margin: .5rem 0; }
        ul.blocked { flex: 1 1 28rem; min-width: 0; margin: .5rem 0; padding: 0; list-style: none; }
        ul.blocked li { margin: 0 0 .45rem; padding-left: .6rem; border-left: 3px solid var(--fail); }
        ul.blocked .reason code { font-weight: 600; white-space: nowrap; }
        p.blocked.none { flex: 1 1 28rem; }
        ul.models, ul.facts, ul.keys { margin: 0; padding-left: 1.1rem; } ul.facts li + li { margin-top: .3rem; }
        p.expected { margin: 0 0 .2rem; }
        table.findings th:first-child, table.findings td:first-child { width: 1%; white-space: nowrap; }
        table.findings tbody th { width: 22%; } table.findings td:nth-child(3) { width: 48%; }
        table.findings.settled td:nth-child(3) { width: auto; }
        details.settled { margin: .5rem 0; } details.settled summary { cursor: pointer; color: var(--muted); }
        #controls { width: auto; }
        #controls th.control { vertical-align: bottom; padding: .3rem .15rem; }
        #controls th.control span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap;
          font: 600 .8em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
        #controls td.cov { text-align: center; padding: .2rem .35rem; min-width: 1.4rem; }
        #controls tbody th, #controls thead th:first-child { position: sticky; left: 0; z-index: 1; background: #fff;
          min-width: 10rem; max-width: 16rem; }
        #controls thead th:first-child { background: var(--head); }
        #trust td.when { white-space: nowrap; }
        figure { margin: 1rem 0; } figcaption { font-weight: 600; margin-bottom: .3rem; }
        svg { max-width: 100%; height: auto; font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; }
        svg .node rect { stroke-width: 2; } svg .node text { fill: var(--fg); font-size: 13px; }
        svg .node .status { font-size: 12px; fill: var(--muted); }
        svg .node.ok rect { fill: var(--pass-bg); stroke: var(--pass); }
        svg .node.doubt rect { fill: var(--warn-bg); stroke: var(--warn); }
        svg .node.bad rect { fill: var(--fail-bg); stroke: var(--fail); }
        svg .node.other rect { fill: var(--na-bg); stroke: var(--na); }
        svg .edge { stroke: var(--muted); stroke-width: 1.5; fill: none; }
        svg .arrow { fill: var(--muted); }
        svg .edge-label { font-size: 12px; fill: var(--muted); paint-order: stroke; stroke: #fff; stroke-width: 4px; }
        svg .bar text { font-size: 13px; fill: var(--fg); } svg .bar .count { font-weight: 600; }
        svg .bar.fail rect { fill: var(--fail); } svg .bar.error rect { fill: var(--error); }
        svg .bar.pass rect { fill: var(--pass); }
        ul.tree { margin: .3rem 0; }
        @media screen and (max-width: 60rem) {
          body { padding: .75rem; font-size: 14px; } th, td { padding: .25rem .35rem; }
        }
        @media print {
          @page { size: A4; margin: 12mm 10mm; }
          body { max-width: none; padding: 0; font-size: 8.5pt; line-height: 1.3; }
          h1 { font-size: 15pt; } h2 { font-size: 12pt; margin-top: 1rem; }
          a { color: inherit; text-decoration: none; }
          th, td { padding: .15rem .3rem; }
          .badge { padding: 0 .25rem; }
          .wide { overflow: visible; }
          #controls tbody th, #controls thead th:first-child { position: static; }
          details.settled > summary { list-style: none; }
          section.model { break-before: page; }
          h2, h3, caption, figcaption { break-after: avoid; }
          tr, figure, svg, dl, ul.blocked li, table.facts, #controls { break-inside: avoid; }
          thead { display: table-header-group; }
          .badge, td.cov, thead th { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
          ul.tree, ol.custody-list { display: none; }
        }

        """
}
