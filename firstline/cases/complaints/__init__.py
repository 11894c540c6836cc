"""The complaints register (MiCA Art. 71): admissibility, acknowledgement, decision, clocks, export."""
