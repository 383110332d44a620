"""State and validation rules of the emulator (no HTTP here)."""
