"""Building a whole portfolio: every product for every market, in parallel, incrementally.

``build`` renders each product for each market it serves into
``OUT/<market>/<locale>/<id>.<ext>`` and records in ``OUT/manifest.json`` what each output
was made from (:mod:`~smpc_manager.builder.manifest`). The next build plans from that record
without parsing a product (:mod:`~smpc_manager.builder.plan`) and renders again only the
outputs whose inputs changed, or whose file is missing or was altered since; the products to
build go to worker processes (:mod:`~smpc_manager.builder.pool`,
:mod:`~smpc_manager.builder.worker`), and :mod:`~smpc_manager.builder.runner` puts it together.
:mod:`~smpc_manager.builder.outputs` says where outputs lie and what a build may do there
(no link is followed below the output folder), and :mod:`~smpc_manager.builder.lock` lets
one build at a time into a folder.
"""

from smpc_manager.builder.manifest import MANIFEST_FILE, Manifest, OutputRecord, ProductRecord
from smpc_manager.builder.plan import BuildOptions, Plan, check_markets, default_jobs, max_jobs
from smpc_manager.builder.runner import BuildResult, build, prepare, run_plan
from smpc_manager.builder.worker import valid_window

__all__ = [
    "MANIFEST_FILE",
    "BuildOptions",
    "BuildResult",
    "Manifest",
    "OutputRecord",
    "Plan",
    "ProductRecord",
    "build",
    "check_markets",
    "default_jobs",
    "max_jobs",
    "prepare",
    "run_plan",
    "valid_window",
]
