/** The portal's one stylesheet (served at /portal.css): no external assets, readable on a phone and a desktop. */
export const PORTAL_CSS = `
:root { --fg: #1b1f24; --muted: #4d5560; --bg: #ffffff; --line: #d5d9de; --ok: #1a7f37; --warn: #8a5a00; --bad: #b42318; --nodata: #c9ced4; --link: #0b5cad; }
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5; color: var(--fg); background: var(--bg); }
body { margin: 0; }
a { color: var(--link); }
a:focus, button:focus, input:focus, summary:focus { outline: 3px solid #f5a623; outline-offset: 2px; }
.skip { position: absolute; left: -9999px; }
.skip:focus { left: 0.5rem; top: 0.5rem; background: #fff; padding: 0.5rem; z-index: 10; }
header.site { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; justify-content: space-between; padding: 0.75rem 1rem; border-bottom: 1px solid var(--line); }
header.site .name { font-weight: 700; text-decoration: none; color: var(--fg); }
header.site nav { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 1.75rem 0 0.5rem; }
section { margin-bottom: 1rem; }
.banner { padding: 0.75rem 1rem; border-radius: 0.4rem; border-left: 0.4rem solid var(--ok); background: #eef8f0; }
.banner.degraded { border-color: var(--warn); background: #fff6e0; }
.banner.disrupted { border-color: var(--bad); background: #fdeceb; }
ul.parts { list-style: none; padding: 0; margin: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: 0.5rem; }
ul.parts li { border: 1px solid var(--line); border-radius: 0.4rem; padding: 0.5rem 0.75rem; }
.state { font-weight: 700; }
.state.operational { color: var(--ok); }
.state.degraded { color: var(--warn); }
.state.disrupted { color: var(--bad); }
article.incident { border: 1px solid var(--line); border-radius: 0.4rem; padding: 0.5rem 1rem; margin: 0.5rem 0; }
article.incident h3 { font-size: 1.05rem; margin: 0.25rem 0; }
ol.timeline { padding-left: 1.25rem; margin: 0.25rem 0; }
ul.earlier { padding-left: 1.25rem; margin: 0.25rem 0; }
ul.earlier li { margin: 0.2rem 0; }
.muted { color: var(--muted); }
.history { display: flex; gap: 2px; align-items: stretch; height: 2.5rem; }
.history .day { flex: 1 1 0; min-width: 2px; border-radius: 1px; background: var(--ok); }
.history .day.degraded { background: var(--warn); }
.history .day.disrupted { background: var(--bad); }
.history .day.nodata { background: var(--nodata); }
.history-scale { display: flex; justify-content: space-between; font-size: 0.85rem; color: var(--muted); }
.legend { font-size: 0.85rem; color: var(--muted); display: flex; gap: 1rem; flex-wrap: wrap; padding: 0; list-style: none; }
.legend .swatch { display: inline-block; width: 0.8rem; height: 0.8rem; margin-right: 0.3rem; vertical-align: middle; background: var(--ok); }
.legend .swatch.degraded { background: var(--warn); }
.legend .swatch.disrupted { background: var(--bad); }
.legend .swatch.nodata { background: var(--nodata); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
form.stack { display: grid; gap: 0.5rem; max-width: 24rem; }
label { font-weight: 600; }
input[type=text], input[type=password] { font: inherit; padding: 0.5rem; border: 1px solid #767d86; border-radius: 0.3rem; width: 100%; }
button { font: inherit; padding: 0.5rem 1rem; border: 0; border-radius: 0.3rem; background: var(--link); color: #fff; cursor: pointer; }
button.link { background: none; color: var(--link); padding: 0; text-decoration: underline; }
.error { color: var(--bad); font-weight: 600; }
footer { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; font-size: 0.85rem; color: var(--muted); }
@media (max-width: 30rem) { main { padding: 0.75rem; } h1 { font-size: 1.3rem; } .history { height: 2rem; } }
`;
