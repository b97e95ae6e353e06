"""Speech recognition: the faster-whisper model store and transcription. No Qt."""
