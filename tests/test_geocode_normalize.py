from incidents.geocode.normalize import normalise_admin, normalise_name


def test_case_accents_and_punctuation_fold_to_one_key():
    assert normalise_name("Ségou") == normalise_name("SEGOU") == normalise_name("segou") == "segou"
    assert normalise_name("Saint-Louis") == normalise_name("saint louis") == "saint louis"
    assert normalise_name("N’Djamena") == normalise_name("N'Djamena") == "n djamena"


def test_saint_abbreviations_expand():
    assert normalise_name("St-Louis") == normalise_name("St. Louis") == "saint louis"
    assert normalise_name("Ste Marie") == "sainte marie"


def test_non_text_gives_empty_key():
    assert normalise_name(None) == ""
    assert normalise_name(float("nan")) == ""


def test_admin_kind_words_are_dropped():
    assert normalise_admin("Région de Ségou") == "segou"
    assert normalise_admin("cercle de San") == "san"
    assert normalise_admin("Tahoua Region") == "tahoua"
    assert normalise_admin("District de Bamako") == "bamako"


def test_admin_name_made_only_of_kind_words_is_kept():
    assert normalise_admin("Centre") == "centre"
    assert normalise_admin("Region") == "region"
