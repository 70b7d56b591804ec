"""tabpfn-lite: a small, fast, readable TabPFN v2."""

__version__ = "0.1.0"

__all__ = ["TabPFNLiteClassifier", "__version__"]


def __getattr__(name: str):
    # The classifier pulls in torch; keep `import tabpfn_lite` light.
    if name == "TabPFNLiteClassifier":
        from .classifier import TabPFNLiteClassifier

        return TabPFNLiteClassifier
    raise AttributeError(f"module 'tabpfn_lite' has no attribute {name!r}")
