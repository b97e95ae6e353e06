"""Speakers: stereo channel split, pyannote diarization of mono calls, words to speakers, roles."""
