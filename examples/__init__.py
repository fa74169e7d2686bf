"""Example Flipdish webhook receivers, each with its own pytest suite using the flipdish-sim plugin."""
