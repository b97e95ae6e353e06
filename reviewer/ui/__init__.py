"""The desktop app (PySide6). Everything here only calls into the core; nothing in the core
imports Qt."""
