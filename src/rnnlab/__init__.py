from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rnnlab")
except PackageNotFoundError:  # running from a source tree without installation (conda envs)
    __version__ = "0.1.0"
