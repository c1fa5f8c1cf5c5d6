"""Rendering one product for one market: the resolver of an output's inputs, composing the
block from the profile and the catalogs, Babel formatting, and the output formats."""

from smpc_manager.render.renderer import Renderer, Rendering, translation_problems

__all__ = ["Renderer", "Rendering", "translation_problems"]
