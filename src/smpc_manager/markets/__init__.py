"""Market profiles: what each market prints, in which order, under which labels. The
shipped profiles are data, in ``data/<market>.toml``."""
