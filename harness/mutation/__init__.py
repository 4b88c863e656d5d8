"""Detection power: User API builds that each carry one documented defect (mutants),
and the kill matrix that says which scenarios catch each one, for which reason."""
