"""A one-page app around ui.add_article for AppTest; the store path comes from the environment."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ui.add_article import render  # noqa: E402

render(os.environ["ADD_ARTICLE_STORE"])
