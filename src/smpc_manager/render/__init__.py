"""Rendering one product for one market: the resolver of an output's inputs, composing the
block from the profile and the catalogs, Babel formatting, and the output formats.

Other packages import from here, never from the modules inside.
"""

from smpc_manager.render.inputs import DOMAIN, EXTENSIONS
from smpc_manager.render.renderer import (
    Renderer,
    Rendering,
    template_messages,
    translation_problems,
)

__all__ = ["DOMAIN", "EXTENSIONS", "Renderer", "Rendering", "template_messages",
           "translation_problems"]
