"""What keeps people's words safe when they leave the workshop: consent, credit and
withdrawal, how long data is kept, the tidy export, the files given out, and counts
too small to tell."""
