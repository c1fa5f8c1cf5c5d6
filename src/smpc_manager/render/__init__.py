"""Rendering one product for one market: the resolver of an output's inputs, composing the
block from the profile and the catalogs, Babel formatting, and the output formats.

Other packages import from here, never from the modules inside: ``inputs`` (the one
resolver of an output's inputs, and their names), ``formats`` (one module per format and the
table of them), ``domains`` (the ``smpc`` labels and the product's own text), ``compose``
(a profile's elements as paragraphs), ``l10n`` (Babel's formatting), ``templates`` (Jinja2),
``sandbox`` (the limits a portfolio's own template runs within), ``shapes`` (the product in
schema 2's shapes, whichever schema it was read from), ``fields`` and ``presentations``
(what each field of a profile prints), ``printed`` (the product's messages a field prints,
for holding them to the SmPC) and ``renderer`` (the steps in order). The modules are
imported when a name is first used (:mod:`smpc_manager.exports`): planning a build needs the
resolver, not Babel or Jinja2.
"""

from typing import TYPE_CHECKING

from smpc_manager.exports import lazy_exports

if TYPE_CHECKING:
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
    from smpc_manager.render.printed import printed_messages
    from smpc_manager.render.renderer import Renderer, Rendering, translation_problems
    from smpc_manager.render.shapes import price_changes
    from smpc_manager.render.templates import template_messages

EXPORTS = {
    "DOMAIN": "inputs",
    "EXTENSIONS": "formats",
    "FORMATS": "formats",
    "TOOL_HASH": "inputs",
    "TOOL_INPUT": "inputs",
    "Format": "formats",
    "Input": "inputs",
    "InputResolver": "inputs",
    "OutputInputs": "inputs",
    "Renderer": "renderer",
    "Rendering": "renderer",
    "format_named": "formats",
    "price_changes": "shapes",
    "printed_messages": "printed",
    "relative_name": "inputs",
    "template_messages": "templates",
    "translation_problems": "renderer",
}
__getattr__, __dir__ = lazy_exports(__name__, EXPORTS)
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
    "price_changes",
    "printed_messages",
    "relative_name",
    "template_messages",
    "translation_problems",
]
