"""README's thumbnails: one small picture per executed notebook, from its committed outputs.

    python tests/thumbnails.py        # writes nbs/images/thumbs/NN.png (run by `make nbs`)

The picture is the notebook's first image output (a png, or the first frame of a gif in an html output such as
`show_videos`), unless `CHOICE` names another one by its position among the notebook's images. A notebook without
an image output gets no thumbnail.
"""
import base64, io, re
from pathlib import Path

import nbformat
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "nbs" / "images" / "thumbs"
WIDTH, HEIGHT = 160, 100  # the thumbnail fits in this box, aspect kept
CHOICE = {}               # notebook number -> index of the image output to use (default 0, the first)
_DATA_URI = re.compile(r'src="data:image/(?:png|gif|jpeg);base64,([A-Za-z0-9+/=\s]+)"')

def images(nb) -> list:
    "Every image of a notebook's outputs, in order, as PIL images."
    found = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if "image/png" in data: found.append(Image.open(io.BytesIO(base64.b64decode(data["image/png"]))))
            elif "text/html" in data:
                found += [Image.open(io.BytesIO(base64.b64decode(m))) for m in _DATA_URI.findall(data["text/html"])]
    return found

def thumbnail(img: Image.Image) -> Image.Image:
    "The first frame, on white, shrunk to fit WIDTH x HEIGHT."
    img.seek(0)
    rgba = img.convert("RGBA")
    flat = Image.new("RGB", rgba.size, "white"); flat.paste(rgba, mask=rgba.getchannel("A"))
    flat.thumbnail((WIDTH, HEIGHT), Image.LANCZOS)
    return flat

def make_thumbnails(nbs=ROOT / "nbs", out=OUT) -> dict:
    "Write out/NN.png for every numbered notebook with an image output; returns {NN: path}."
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for path in sorted(nbs.glob("[0-9][0-9]_*.ipynb")):
        num = path.name[:2]
        imgs = images(nbformat.read(path, as_version=4))
        if not imgs: continue
        thumbnail(imgs[min(CHOICE.get(num, 0), len(imgs) - 1)]).save(out / f"{num}.png", optimize=True)
        written[num] = out / f"{num}.png"
    return written

if __name__ == "__main__":
    for num, p in make_thumbnails().items(): print(f"{num}: {p.relative_to(ROOT)} ({p.stat().st_size} bytes)")
