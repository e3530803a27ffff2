"""Public sentiment (FEATURES E8), pure computations on plain data, no ORM: Chinese word segmentation
(`text`), lexicon sentiment scores (`lexicon`, `scoring`), curated topics with their response scripts and
NMF topic clusters (`topics`), volume spikes against a weekly baseline (`anomaly`) and the feed's rows
(`feed`). Everything runs offline: the lexicons ship in `data/` and nothing is downloaded at run time."""
