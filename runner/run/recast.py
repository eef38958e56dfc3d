"""The external re-cast handoff: a person takes a pack (hero image, motion video,
prompt, instructions) to a tool outside the factory and brings a video back.

The workflow declares a gate of kind `recast` (usually non-blocking, after QC):
`export` opens an attempt of it and writes the pack; `reingest` checks the returned
video and the pack, writes the video where the QC gate reads its video (the product the
later gates use), finishes that attempt (hashing the pack, the video and the product),
and runs QC on it as a new attempt of the QC gate (hashing the video and the QC files it
wrote). Every state of the lifecycle is really written:
EXPORTED → RESULT_RECEIVED → REINGESTED → QC_DONE → DONE (QC finalized) or FAILED.
The original factory's files are written beside ours (viggle_pack.v1.json,
external_recast_lifecycle.v1.json); their inbox pointers are read by recast_inbox."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from runner import jsonio, records
from runner.errors import NotFoundError, RunnerError, StateError
from runner.hashing import sha256_bytes, sha256_file
from runner.models.base import to_data
from runner.models.recast import CafLifecycle, CafPack, PackFile, RecastLifecycle, RecastPack, Transition
from runner.models.run import PacketRef, Run
from runner.models.workflow import WorkflowGate
from runner.paths import run_variables, substitute
from runner.run import attempts, lifecycle
from runner.run.session import Session
from runner.steps import STEP_KINDS
from runner.steps.base import StepContext
from runner.timeutil import iso

CAF_PACK = "viggle_pack.v1.json"  # the original factory's manifest of the pack, beside ours
CAF_LIFECYCLE = "external_recast_lifecycle.v1.json"  # and their lifecycle, beside lifecycle.json
ROLES = {"hero_image": "hero", "motion_video": "motion", "prompt": "prompt", "instructions": "instructions"}


@dataclass
class Reingested:
    lifecycle: RecastLifecycle
    new_attempt: bool  # False: this very file was re-ingested before


def gates(s: Session, run: Run) -> tuple[WorkflowGate, WorkflowGate]:
    wf = lifecycle.workflow_of(s, run)
    recast = next((g for g in wf.gates if g.kind == "recast"), None)
    if recast is None:
        raise NotFoundError(f"workflow {wf.workflow} has no gate of kind recast",
                            'add one, e.g. {"gate": "RECAST", "kind": "recast", "blocking": false}')
    qc_id = recast.params.get("qc_gate") or next((g.gate for g in wf.gates if g.kind == "qc"), None)
    qc = wf.gate(qc_id) if qc_id else None
    if qc is None:
        raise NotFoundError(f"workflow {wf.workflow} has no qc gate for the re-cast video")
    return recast, qc


def _template(s: Session, run: Run, gate: WorkflowGate, key: str, default: str) -> str:
    values = run_variables(s.ws.root, run.workflow.slug, run.workflow.artifact_path, run.run_id)
    return substitute(str(gate.params.get(key, default)), values, where=f"gate {gate.gate} params.{key}: ")


def pack_dir(s: Session, run: Run, gate: WorkflowGate) -> Path:
    return s.ws.path(_template(s, run, gate, "out", "{artifact_path}/recast"), "recast pack")


def export(s: Session, run_id: str) -> RecastLifecycle:
    run = records.load_run(s.ws, run_id)
    recast, qc = gates(s, run)
    directory = pack_dir(s, run, recast)
    current = run.gate(recast.gate).current
    if current is not None:  # gate start would hint at `gate finish`: the video is what is missing
        raise StateError(f"the re-cast pack of {run_id} was already exported (attempt {current.attempt} of "
                         f"{recast.gate} waits for the video since {current.started_at})",
                         f"bring the video back: `runner recast reingest --run {run_id} --video PATH`")
    sources = {
        "hero_image": s.ws.path(_template(s, run, recast, "hero_image", "{artifact_path}/assets/hero.png"), "hero image"),
        "motion_video": s.ws.path(_template(s, run, recast, "motion_video", "{artifact_path}/render/final.mp4"),
                                  "motion video"),
    }
    for role, path in sources.items():
        if not path.is_file():
            raise NotFoundError(f"recast {role} not found: {s.ws.rel(path)}", f"set params.{role} of gate {recast.gate}")
    lifecycle: list[RecastLifecycle] = []

    def write_pack(run_now: Run, state, number: int) -> PacketRef:
        """The pack, written when gate_start opens the attempt (`run_now` as it holds it)."""
        files = []
        for role, source in sources.items():
            target = directory / f"{ROLES[role]}{source.suffix.lower()}"
            jsonio.write_atomic(target, source.read_bytes())
            files.append(target)
        texts = {"prompt": (run_now.prompt or recast.params.get("prompt") or "(no prompt)").strip() + "\n",
                 "instructions": _instructions(s, run_now, recast, qc)}
        for role, text in texts.items():
            target = directory / f"{ROLES[role]}{'.txt' if role == 'prompt' else '.md'}"
            jsonio.write_atomic(target, text)
            files.append(target)
        roles = list(sources) + list(texts)
        manifest = RecastPack(run_id=run_id, gate=recast.gate, attempt=number, created_at=iso(), created_by=s.actor,
                              files=[PackFile(role=r, path=s.ws.rel(p), sha256=sha256_file(p), size=p.stat().st_size)
                                     for r, p in zip(roles, files)])
        jsonio.write_atomic(directory / "manifest.json", to_data(manifest))
        rels = [s.ws.rel(p) for p in files]
        caf = CafPack(job_id=run_now.workflow.slug, pack_root=s.ws.rel(directory), hero_image=rels[0],
                      motion_video=rels[1], prompt_file=rels[2], instructions_file=rels[3],
                      created_at=manifest.created_at)
        jsonio.write_atomic(directory / CAF_PACK, to_data(caf))
        state_file = RecastLifecycle(run_id=run_id, gate=recast.gate, state="EXPORTED", qc_gate=qc.gate,
                                     pack_manifest_sha256=sha256_file(directory / "manifest.json"),
                                     history=[Transition(state="EXPORTED", at=iso(), by=s.actor)])
        _write_lifecycle(directory, state_file, run_now.workflow.slug)
        lifecycle.append(state_file)
        text = (directory / "instructions.md").read_text()
        return PacketRef(path=s.ws.rel(directory / "instructions.md"), sha256=sha256_bytes(text.encode()))

    attempts.gate_start(s, run_id, recast.gate, "external re-cast", force=True, packet=write_pack)
    attempts.mark_waiting_for_outputs(s, run_id, recast.gate)
    return lifecycle[0]


def _instructions(s: Session, run: Run, recast: WorkflowGate, qc: WorkflowGate) -> str:
    lines = [f"# Re-cast pack for {run.run_id}", "",
             "Take `hero.*` (who must appear) and `motion.mp4` (the motion to keep) to the re-cast tool,",
             "with the prompt in `prompt.txt`. Bring back one video file, put it inside the workspace, then run:", "",
             f"    runner recast reingest --run {run.run_id} --video PATH", "",
             (f"or drop a `viggle_reingest_pointer.v1` file naming it (`job_id`: `{run.workflow.slug}`) into "
              "`sandbox/inbox/`, picked up by `runner recast watch` or `runner tick`."), "",
             "The video you bring back becomes the product: the gates after QC (review, publish) use it.", "",
             "Do not change the files of this pack: their SHA-256 are in manifest.json and a changed pack is refused."]
    action = s.ws.path(_template(s, run, qc, "out", "{artifact_path}/qc"), "qc output") / "user_action_required.json"
    if action.is_file():
        lines += ["", "## Why QC asked for a person", "", "```json", action.read_text().strip(), "```"]
    return "\n".join(lines) + "\n"


def read_lifecycle(directory: Path) -> RecastLifecycle:
    path = directory / "lifecycle.json"
    if not path.is_file():
        raise StateError(f"no re-cast pack in {directory}", "run `runner recast export --run ID` first")
    return records.load_model(path, RecastLifecycle, "recast lifecycle")


def _advance(s: Session, directory: Path, life: RecastLifecycle, state: str, job_id: str,
             note: str | None = None) -> None:
    life.state = state
    life.history.append(Transition(state=state, at=iso(), by=s.actor, note=note))
    _write_lifecycle(directory, life, job_id)


# Our lifecycle states in their terms (their READY_FOR_VIGGLE comes before an export).
CAF_STATES = {"EXPORTED": "VIGGLE_EXPORTED", "RESULT_RECEIVED": "VIGGLE_DONE", "REINGESTED": "FINISHING",
              "QC_DONE": "FINISHING", "DONE": "DONE", "FAILED": "FAILED"}


def _write_lifecycle(directory: Path, life: RecastLifecycle, job_id: str) -> None:
    """lifecycle.json, and theirs beside it (their paths only when in their layout)."""
    jsonio.write_atomic(directory / "lifecycle.json", to_data(life))
    last = life.history[-1]
    pointer, video = life.pointer or "", life.source_video or ""
    theirs = CafLifecycle(
        job_id=job_id, state=CAF_STATES[life.state], updated_at=last.at,
        notes=f"runner lifecycle {life.state}" + (f": {last.note}" if last.note else ""),
        reingest_pointer=pointer if re.match(r"^sandbox/inbox/viggle-reingest-[a-z0-9-]+-[0-9]{10}\.json$", pointer)
        else None,
        reingest_result_video=video if re.match(r"^sandbox/inbox/viggle_results/[a-z0-9-]+/.+\.(mp4|mov|mkv|webm)$",
                                                video) else None,
    )  # fmt: skip
    jsonio.write_atomic(directory / CAF_LIFECYCLE, to_data(theirs))


def reingest(s: Session, run_id: str, video: str, pointer: str | None = None) -> Reingested:
    """`pointer`: the inbox file that named the video (see recast_inbox), recorded."""
    from runner.media.probe import media_info

    run = records.load_run(s.ws, run_id)
    recast, qc = gates(s, run)
    directory = pack_dir(s, run, recast)
    life = read_lifecycle(directory)
    source = s.ws.flag_path(video, "--video")
    if not source.is_file():
        raise NotFoundError(f"no such video: {video}")
    digest = sha256_file(source)
    if life.result_sha256 == digest:
        return Reingested(life, new_attempt=False)
    if life.state != "EXPORTED":
        raise StateError(f"the pack of {run_id} was already re-ingested ({life.state})",
                         "export a new pack to re-cast again")
    _check_pack(s, directory, life)
    product = product_path(s, run, qc)  # refused here, before anything is written
    try:
        info = media_info(source)
    except RunnerError as exc:
        raise RunnerError(f"{video} does not probe as a video: {exc.message}", "bring back a video file") from None
    if info.video_codec is None:
        raise RunnerError(f"{video} has no video stream", "bring back a video file")
    data = source.read_bytes()
    result = directory / "result" / f"recast{source.suffix.lower() or '.mp4'}"
    jsonio.write_atomic(result, data)
    life.result_video, life.result_sha256, life.source_video = s.ws.rel(result), digest, s.ws.rel(source)
    life.pointer = pointer
    job_id = run.workflow.slug  # the original factory's job id
    _advance(s, directory, life, "RESULT_RECEIVED", job_id)
    jsonio.write_atomic(product, data)  # the re-cast is the product the later gates read
    attempts.gate_finish(s, run_id, recast.gate, outputs=_brought(s, directory, result, product))
    _advance(s, directory, life, "REINGESTED", job_id)
    life.qc_attempt, life.qc_action = _qc(s, run_id, qc)
    _advance(s, directory, life, "QC_DONE", job_id, note=f"QC attempt {life.qc_attempt}: {life.qc_action}")
    _advance(s, directory, life, "DONE" if life.qc_action == "finalize" else "FAILED", job_id)
    return Reingested(life, new_attempt=True)


def _check_pack(s: Session, directory: Path, life: RecastLifecycle) -> None:
    manifest_path = directory / "manifest.json"
    if not manifest_path.is_file() or sha256_file(manifest_path) != life.pack_manifest_sha256:
        raise StateError(f"the pack's manifest {s.ws.rel(manifest_path)} changed since export", "export a new pack")
    manifest = records.load_model(manifest_path, RecastPack, "recast manifest")
    for f in manifest.files:
        path = s.ws.path(f.path)
        if not path.is_file() or sha256_file(path) != f.sha256:
            raise StateError(f"the pack was changed since export: {f.path}", "export a new pack")


def product_path(s: Session, run: Run, qc: WorkflowGate) -> Path:
    """Where the product lives: the video the QC gate measures (its `params.video`), which
    the later gates read. An accepted re-cast is written there, as the original factory
    writes it over `sandbox/output/<job_id>/final.mp4`."""
    if "video" not in qc.params:
        raise NotFoundError(f"gate {qc.gate} names no params.video, so the re-cast has no place as the product",
                            f"set params.video of gate {qc.gate}")
    return s.ws.path(_template(s, run, qc, "video", ""), "product video")


def _brought(s: Session, directory: Path, result: Path, product: Path) -> list[str]:
    """Every file of the pack (as its manifest lists them), the manifest, the video brought
    back and the product: what the recast attempt hashes. lifecycle.json changes later."""
    manifest = records.load_model(directory / "manifest.json", RecastPack, "recast manifest")
    extra = [p for p in (directory / "manifest.json", directory / CAF_PACK) if p.is_file()]
    return [f.path for f in manifest.files] + [s.ws.rel(p) for p in (*extra, result, product)]


def _qc(s: Session, run_id: str, qc: WorkflowGate) -> tuple[int, str]:
    """QC of the product (now the re-cast) as a new attempt of the QC gate, writing where
    that gate writes, so its contract and its hashes see the fresh files."""
    from runner.steps.qc import written

    params = {"no_rerun": "a re-cast video is not rendered again: a person decides"}
    opened = attempts.gate_start(s, run_id, qc.gate, "qc", force=True, params=params, owned=True,
                                 supersede="a re-cast video was re-ingested")
    run = records.load_run(s.ws, run_id)
    ctx = StepContext(s, run, qc, opened.attempt, True, retries=run.gate(qc.gate).retries)
    produced = STEP_KINDS["qc"].produce(ctx)
    action = produced.route.action if produced.route else "finalize"
    # A re-cast video that fails QC is escalated (no_rerun): the run waits for a person.
    attempts.gate_finish(s, run_id, qc.gate, failure=produced.failure, route=produced.route,
                         ran=produced.ran, outputs=written(ctx))
    return opened.attempt, action
