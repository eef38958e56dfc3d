"""Ten workspaces of the visual-essay team, as their 18 contracts meet them
(../shared/conformance/esy): a known-good finished essay and nine variations of it.
`esy_verdicts.json` holds, for each fixture and gate, the verdict of the original runner
by its documented semantics (../shared/conformance/README.md), evaluated offline.

The known-good essay keeps its G5.2 and G5.3 audits at the other `any_of` location (the
essay root), as their team did; the other reports sit in research/. Its images are
migrated to images.esy.com, so G4.5 (which wants the Wikimedia URLs it sourced) fails
on it, as it would on any finished essay of theirs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

SLUG = "the-word-robot"
ART = f"src/app/essays/{SLUG}"
SPEC = f"orchestration/skills/visual-essay-invocation/specs/{SLUG}.md"
CLIENT = f"{ART}/RobotClient.tsx"

Files = dict[str, str]


def _report(status: str = "PASS", body: str = "", **fields: str) -> str:
    extra = "".join(f"{k}: {v}\n" for k, v in fields.items())
    return f"---\nstatus: {status}\n{extra}---\n# Report\n\nReviewed.\n{body}"


def _citations(count: int) -> str:
    return "# Citations\n\n" + "".join(f"### Source {i}\n- https://example.org/robot/{i}\n\n" for i in range(1, count + 1))


WIKI = "".join(f'  img{i}: "https://upload.wikimedia.org/wikipedia/commons/{i}/a{i}/Robot_{i}.jpg",\n' for i in range(5))
ESY = "".join(f'  img{i}: "https://images.esy.com/essays/{SLUG}/robot-{i}.jpg",\n' for i in range(5))
IMAGES_WIKI = f"export const IMAGES = {{\n{WIKI}}} as const;\n"
IMAGES_ESY = f"export const IMAGES = {{\n{ESY}}} as const;\n"

PAGE = """import type { Metadata } from 'next';
import ArtifactDetailWrapper from '@/components/ArtifactDetailWrapper';
import RobotClient from './RobotClient';

export const metadata: Metadata = { title: 'The Word Robot' };
export const ESSAY_META = {
  visualizations: [{ name: 'Timeline', type: 'D3 timeline' }],
};

export default function Page() {
  return <ArtifactDetailWrapper meta={ESSAY_META}><RobotClient /></ArtifactDetailWrapper>;
}
"""

IMGS = "".join(f'      <img src={{IMAGES.img{i}}} loading="lazy" alt="Robot {i}" />\n' for i in range(5))
CLIENT_TSX = f"""'use client';
import * as d3 from 'd3';
import {{ IMAGES }} from './images';

const SOURCES = ['Capek 1920'];
const IMAGE_CREDITS = ['Wikimedia Commons'];

/* @diagram-contract timeline: years increase to the right */
export default function RobotClient() {{
  d3.select('#timeline');
  return (
    <article>
{IMGS}      <section id="sources"><h2>Sources</h2>{{SOURCES.join(', ')}} {{IMAGE_CREDITS.join(', ')}}</section>
    </article>
  );
}}
"""


def known_good() -> Files:
    return {
        f"{ART}/G1-INTAKE.md": "---\nstatus: APPROVED\n---\n# Intake\nScope: the word robot.\n",
        f"{ART}/research/CITATIONS.md": _citations(8),
        f"{ART}/research/TIMELINE.md": "# Timeline\n- 1920: R.U.R.\n",
        f"{ART}/research/FIGURES.md": "# Figures\n- Karel Capek\n",
        SPEC: f"# {SLUG}\n\n" + "".join(f"## Layer {i}\nLayer {i}.\n\n" for i in range(1, 7)),
        f"{ART}/DESIGN-RESEARCH.md": "# Design\n## Color\nRust.\n## Typography\nSerif.\n## Animation\nSlow.\n",
        f"{ART}/research/G4.1-DESIGN-RECONCILIATION.md": _report(),
        f"{ART}/research/IMAGE_RESEARCH_AUDIT.md": _report(body="All images licensed.\n"),
        f"{ART}/VIZ-TECH-DECISIONS.md": _report(body="Minimum Tier: Tier 2\n"),
        f"{ART}/images.ts": IMAGES_ESY,
        f"{ART}/page.tsx": PAGE,
        CLIENT: CLIENT_TSX,
        f"{ART}/G5.2-DESIGN-FIDELITY-AUDIT.md": _report(blocking_issues="0"),
        f"{ART}/DIAGRAM-CODE-RECONCILIATION.md": _report(),
        f"{ART}/G5.4-VIZ-AMBITION-AUDIT.md": _report(body="Average Score: 4.2\nTechnology Tier: 2\n"),
        f"{ART}/research/CONTENT-BIBLIOGRAPHY-AUDIT.md": _report(),
        f"{ART}/research/CITATION-AUDIT.md": _report(),
        f"{ART}/research/PROSE-QUALITY-AUDIT.md": _report(),
        f"{ART}/research/SCROLL-CERTIFICATION.md": _report(),
        f"{ART}/research/PUBLICATION-CERTIFICATION.md": _report(body="GO\n"),
        f"{ART}/research/PUBLICATION-APPROVAL.md": _report(body="Approved for publication.\n"),
        "src/data/visualEssays.ts": f"export const ESSAYS = ['{SLUG}'];\n",
    }


# Each report of the known-good essay that has another any_of location, and that location.
AT_ROOT = {
    f"{ART}/G1-INTAKE.md": f"{ART}/research/INTAKE.md",
    f"{ART}/research/CITATIONS.md": f"{ART}/research/CLAIMS.md",
    f"{ART}/research/G4.1-DESIGN-RECONCILIATION.md": f"{ART}/G4.1-DESIGN-RECONCILIATION.md",
    f"{ART}/research/IMAGE_RESEARCH_AUDIT.md": f"{ART}/research/IMAGE-DOCUMENTATION.md",
    f"{ART}/research/CONTENT-BIBLIOGRAPHY-AUDIT.md": f"{ART}/research/BIBLIOGRAPHY-AUDIT.md",
    f"{ART}/research/CITATION-AUDIT.md": f"{ART}/CITATION-AUDIT.md",
    f"{ART}/research/PROSE-QUALITY-AUDIT.md": f"{ART}/PROSE-QUALITY-AUDIT.md",
    f"{ART}/research/SCROLL-CERTIFICATION.md": f"{ART}/SCROLL-CERTIFICATION.md",
    f"{ART}/research/PUBLICATION-CERTIFICATION.md": f"{ART}/PUBLICATION-CERTIFICATION.md",
    f"{ART}/research/PUBLICATION-APPROVAL.md": f"{ART}/PUBLICATION-APPROVAL.md",
}

def _audits_at_root() -> Files:
    return {AT_ROOT.get(path, path): text for path, text in known_good().items()}


def _with_reports(files: Files, change: Callable[[str], str]) -> Files:
    reports = {p for p in files if p.endswith(".md") and p != SPEC and not p.endswith(
        ("DESIGN-RESEARCH.md", "CITATIONS.md", "CLAIMS.md", "TIMELINE.md", "FIGURES.md"))}
    return {p: change(text) if p in reports else text for p, text in files.items()}


def _replace(files: Files, **changes: str) -> Files:
    return {**files, **changes}


def _without(files: Files, *paths: str) -> Files:
    return {p: t for p, t in files.items() if p not in paths}


def _no_front_matter(text: str) -> str:
    return text.split("---\n", 2)[2] if text.startswith("---\n") else text


FIXTURES: dict[str, Callable[[], Files]] = {
    "known-good": known_good,
    "images-not-migrated": lambda: _replace(known_good(), **{f"{ART}/images.ts": IMAGES_WIKI}),
    "empty": dict,
    "reports-at-the-other-any-of": _audits_at_root,
    "reports-fail": lambda: _with_reports(known_good(), lambda t: t.replace("status: PASS", "status: FAIL")
                                          .replace("status: APPROVED", "status: FAIL")),
    "reports-at-the-other-any-of-without-front-matter": lambda: _with_reports(_audits_at_root(), _no_front_matter),
    "thin-research": lambda: _replace(known_good(), **{f"{ART}/research/CITATIONS.md": _citations(4)}),
    "client-lacks-evidence": lambda: _replace(known_good(), **{
        CLIENT: CLIENT_TSX.replace("@diagram-contract", "diagram").replace(' loading="lazy"', "")
        .replace("<h2>Sources</h2>", "<h2>Sources \U0001F680</h2>"),
        f"{ART}/page.tsx": PAGE + "// TODO: credits\n"}),
    "viz-claim-unbacked": lambda: _replace(known_good(), **{
        f"{ART}/page.tsx": PAGE.replace("D3 timeline", "Three.js globe")}),
    "image-audit-only": lambda: _replace(_without(known_good(), f"{ART}/images.ts"), **{
        f"{ART}/research/IMAGE_RESEARCH_AUDIT.md": _report(body=f"Planned images.ts:\n\n{IMAGES_WIKI}")}),
}


def write_fixture(root: Path, name: str) -> None:
    for rel, text in FIXTURES[name]().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
