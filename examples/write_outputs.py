"""Stand-in for an agent: writes the outputs a gate of the essay workflow expects.

    python examples/write_outputs.py G2 --artifact-path essays/robot --slug robot [--incomplete]
"""

import argparse
from pathlib import Path

SOURCES = "\n".join(f"### Source {i}\n- https://example.org/source/{i}\n" for i in range(1, 7))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("gate", choices=["G1", "G2", "G3"])
    parser.add_argument("--artifact-path", required=True)
    parser.add_argument("--slug", required=True)
    parser.add_argument("--incomplete", action="store_true", help="write too little, so the gate fails")
    args = parser.parse_args()
    base = Path(args.artifact_path)
    research = base / "research"
    if args.gate == "G1":
        write(base / "G1-INTAKE.md", f"---\nstatus: APPROVED\nslug: {args.slug}\n---\n# Intake\nScope agreed.\n")
    elif args.gate == "G2":
        sources = SOURCES.split("### Source 3")[0] if args.incomplete else SOURCES
        write(research / "CITATIONS.md", f"# Citations\n\n{sources}")
        write(research / "TIMELINE.md", "# Timeline\n- 1920: the word robot appears in R.U.R.\n")
        if not args.incomplete:
            write(research / "FIGURES.md", "# Figures\n- Karel Capek, playwright\n")
    else:
        layers = "".join(f"## Layer {i}\nContent of layer {i}.\n\n" for i in range(1, 7))
        write(base / "SPEC.md", f"# Spec for {args.slug}\n\n{layers}")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
