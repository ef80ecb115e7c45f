"""lowcloud: AWS serverless data pipelines on one machine, unchanged."""
__version__ = "0.1.0"
