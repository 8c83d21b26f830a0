"""Time faster-whisper on WAV files, for `cargo bench --bench transcribe`.

Run with the venv that scripts/bench-faster-whisper makes:

    python bench-faster-whisper.py --model DIR [--beam 5] [--threads 2] FILE...
    python bench-faster-whisper.py --model DIR --stdin     (one path per line)

Loads the model once, transcribes the first file once to warm up (not
counted, as viva's side does), then each file; prints one JSON object per
file (file, text, processing_s) and a last one with the process's peak
resident memory (peak_rss_mb) and the model load time (load_s). With
--stdin it reads paths as they come, so that the benchmark can interleave
its engines clip by clip (other load on the machine then hits all alike).
"""

import argparse
import json
import resource
import sys
import time

from faster_whisper import WhisperModel


def transcribe(model, path, beam):
    started = time.perf_counter()
    segments, _info = model.transcribe(path, beam_size=beam, language="en")
    # Segments are produced lazily: consume them inside the timing.
    text = " ".join(segment.text.strip() for segment in segments)
    return text, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--beam", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--compute-type", default="int8")
    parser.add_argument("--stdin", action="store_true")
    parser.add_argument("files", nargs="*")
    args = parser.parse_args()

    started = time.perf_counter()
    model = WhisperModel(
        args.model,
        device="cpu",
        compute_type=args.compute_type,
        cpu_threads=args.threads,
        num_workers=1,
    )
    load_s = time.perf_counter() - started
    paths = (line.strip() for line in sys.stdin) if args.stdin else iter(args.files)
    warmed = False
    for path in paths:
        if not path:
            continue
        if not warmed:
            transcribe(model, path, args.beam)
            warmed = True
        text, seconds = transcribe(model, path, args.beam)
        print(json.dumps({"file": path, "text": text, "processing_s": seconds}), flush=True)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_rss_mb": peak_kib / 1024, "load_s": load_s}), flush=True)


if __name__ == "__main__":
    main()
