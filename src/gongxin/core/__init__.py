"""Pure domain core: no Django imports here, so every rule is testable on its own."""
