"""Static files are served precompressed with Brotli and gzip (issue 15): WhiteNoise writes `.br` and
`.gz` beside each text file at collectstatic when the Brotli package is installed."""

from __future__ import annotations

import shutil
from pathlib import Path

from whitenoise.compress import Compressor

ROOT = Path(__file__).resolve().parent.parent.parent


def test_collectstatic_writes_brotli_and_gzip_beside_the_stylesheet(tmp_path: Path) -> None:
    stylesheet = tmp_path / "cipnet.css"
    shutil.copyfile(ROOT / "cipnet" / "static" / "cipnet" / "css" / "cipnet.css", stylesheet)
    written = list(Compressor(quiet=True).compress(str(stylesheet)))
    assert sorted(Path(name).suffix for name in written) == [".br", ".gz"]
    size = stylesheet.stat().st_size
    brotli, gzip = (Path(f"{stylesheet}{suffix}").stat().st_size for suffix in (".br", ".gz"))
    assert brotli < gzip < size / 2
