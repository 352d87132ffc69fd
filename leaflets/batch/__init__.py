"""Local batches: an organisation's own contact block on the official designs."""

from .logo import Logo, load_logo
from .spec import SAMPLE_SPEC, BatchSpec, Organisation, Phone, load_spec, qr_target

__all__ = ["BatchSpec", "Logo", "Organisation", "Phone", "SAMPLE_SPEC", "load_logo", "load_spec", "qr_target"]
