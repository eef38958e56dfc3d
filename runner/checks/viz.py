"""viz_tech_match: the visualization technologies ESSAY_META claims are really
imported and rendered by the implementation.

Entries `{ name: '…', type: '…' }` are read from the metadata file. A type names a
technology when it contains the technology's name (case-insensitive); each named
technology needs an import and a rendering use in the implementation file or any
.tsx/.jsx/.ts file beside it (the metadata file excluded)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from runner.checks.base import CheckContext, Outcome
from runner.checks.common import missing, read, read_repointed

if TYPE_CHECKING:  # the spec types
    from runner.checks.specs import VizTechMatch

ENTRY = re.compile(r"""\{\s*name\s*:\s*(['"`])(.*?)\1\s*,\s*type\s*:\s*(['"`])(.*?)\3""", re.DOTALL)
SOURCE_SUFFIXES = (".tsx", ".jsx", ".ts")
# (imported, used) -> what is lacking
LACKS = {(True, True): None, (True, False): "no rendering use", (False, True): "no import",
         (False, False): "no import nor use"}


def _imports(modules: str) -> re.Pattern:
    """An import (static, dynamic, side-effect or require) of one of `modules`, or a
    subpath of it, e.g. 'three/examples/jsm/...'."""
    return re.compile(rf"""(?:\bfrom|\bimport\s*\(?|\brequire\s*\()\s*['"](?:{modules})(?:/[^'"]*)?['"]""")


@dataclass(frozen=True)
class Tech:
    name: str
    imported: re.Pattern
    used: re.Pattern
    evidence: str  # for messages


R3F_IMPORT = _imports(r"@react-three/fiber|@react-three/drei")
THREE_IMPORT = _imports(r"three")
CANVAS = r"<Canvas\b"

TECHS = (
    Tech(
        "React Three Fiber",
        R3F_IMPORT,
        re.compile(CANVAS),
        "import @react-three/fiber or drei; render <Canvas>",
    ),
    Tech(
        "Three.js",
        THREE_IMPORT,
        re.compile(rf"new\s+THREE\.\w+|new\s+(?:Scene|WebGLRenderer|PerspectiveCamera|Mesh)\b|{CANVAS}"),
        "import three; use new THREE.X, new Scene/WebGLRenderer/PerspectiveCamera/Mesh or <Canvas>",
    ),
    Tech(
        "WebGL",
        re.compile(f"{R3F_IMPORT.pattern}|{THREE_IMPORT.pattern}"),
        re.compile(rf"{CANVAS}|getContext\(\s*['\"`]webgl"),
        "import three or @react-three/fiber; render <Canvas> or call getContext('webgl')",
    ),
    Tech(
        "D3",
        _imports(r"d3(?:-[a-z-]+)?"),
        re.compile(r"\bd3\.\w+\s*\(|\bselect\(|\bselectAll\(|<svg\b"),
        "import d3; use d3.x(), select(), selectAll() or <svg>",
    ),
    Tech(
        "Recharts",
        _imports(r"recharts"),
        re.compile(
            r"<(?:ResponsiveContainer|BarChart|LineChart|AreaChart|PieChart|RadarChart"
            r"|ComposedChart|ScatterChart)\b"
        ),
        "import recharts; render a Recharts chart",
    ),
    Tech(
        "Mapbox",
        _imports(r"mapbox-gl|react-map-gl"),
        re.compile(r"<Map\b|new\s+mapboxgl\.Map\b"),
        "import mapbox-gl or react-map-gl; render <Map> or new mapboxgl.Map",
    ),
    Tech(
        "Leaflet",
        _imports(r"leaflet[\w.-]*|react-leaflet"),
        re.compile(r"<MapContainer\b|\bL\.map\(|new\s+L\.\w+"),
        "import leaflet; render <MapContainer>, L.map() or new L.X",
    ),
    Tech(
        "TopoJSON",
        _imports(r"topojson(?:-[a-z-]+)?"),
        re.compile(r"\btopojson\.\w+\s*\(|\bfeature\(|\bmesh\("),
        "import topojson; call topojson.x(), feature() or mesh()",
    ),
)


def claims(text: str) -> list[tuple[str, str]]:
    """(name, type) of every visualization entry in the metadata text."""
    return [(m.group(2), m.group(4)) for m in ENTRY.finditer(text)]


def _code(implementation: Path, metadata: Path) -> str:
    """The implementation file and its .tsx/.jsx/.ts neighbours, metadata excluded."""
    neighbours = {p for p in implementation.parent.iterdir() if p.suffix in SOURCE_SUFFIXES and p.is_file()}
    files = (neighbours - {metadata}) | {implementation}
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(files))


def _problems(code: str, entries: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    problems, checked = [], []
    for name, kind in entries:
        for tech in TECHS:
            if tech.name.lower() not in kind.lower():
                continue
            checked.append(f"{name}: {tech.name}")
            lack = LACKS[bool(tech.imported.search(code)), bool(tech.used.search(code))]
            if lack:
                problems.append(f"{name!r} claims {tech.name} but the code has {lack} (need: {tech.evidence})")
    return problems, checked


def check_viz_tech_match(spec: VizTechMatch, ctx: CheckContext) -> Outcome:
    meta_rel, meta_abs, meta_text = read(ctx, spec.metadata_source)
    if meta_text is None:
        return missing(meta_rel)
    impl_rel, impl_abs, impl_text, repointed = read_repointed(ctx, spec.implementation_target)
    if impl_text is None:
        return missing(impl_rel)
    entries = claims(meta_text)
    if not entries:
        return Outcome("PASS", f"{meta_rel} claims no visualization types", impl_rel, repointed)
    problems, checked = _problems(_code(impl_abs, meta_abs), entries)
    details = {**repointed, "claims": [{"name": n, "type": t} for n, t in entries], "checked": checked}
    if problems:
        details["problems"] = problems
        return Outcome("FAIL", "; ".join(problems), impl_rel, details)
    return Outcome("PASS", f"{len(checked)} technology claim(s) match {impl_rel}", impl_rel, details)
