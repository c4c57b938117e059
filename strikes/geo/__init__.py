"""Places: the offline gazetteer index (`gazetteer`), its builder (`build`), finding and
resolving place names in text (`geocode`) and the curated spellings and regions (`aliases`)."""
