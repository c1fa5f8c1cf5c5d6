"""Rendering one product for one market: the resolver of an output's inputs, composing the
block from the profile and the catalogs, Babel formatting, and the output formats.

Other packages import from here, never from the modules inside.
"""

from smpc_manager.render.formats import EXTENSIONS, FORMATS, Format, format_named
from smpc_manager.render.inputs import (
    DOMAIN,
    TOOL_HASH,
    TOOL_INPUT,
    Input,
    InputResolver,
    OutputInputs,
    relative_name,
)
from smpc_manager.render.renderer import Renderer, Rendering, translation_problems
from smpc_manager.render.templates import template_messages

__all__ = [
    "DOMAIN",
    "EXTENSIONS",
    "FORMATS",
    "TOOL_HASH",
    "TOOL_INPUT",
    "Format",
    "Input",
    "InputResolver",
    "OutputInputs",
    "Renderer",
    "Rendering",
    "format_named",
    "relative_name",
    "template_messages",
    "translation_problems",
]
