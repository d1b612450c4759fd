"""Every label, legend and message of the dashboard, in English and French.

Strings are looked up by key with :func:`t`; a key missing from the table is a
bug, so it raises instead of showing the key to the analyst.

A message about ``count`` things may have a singular form under ``<key>_one``;
:func:`t` picks it when ``count`` is singular in the language (English: 1;
French: 0 and 1), so callers pass ``count=`` and never choose a form themselves.
"""

from __future__ import annotations

LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français"}
DEFAULT_LANGUAGE = "en"

# key: (English, French)
STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("Sahel incident map", "Carte des incidents au Sahel"),
    "language": ("Language / Langue", "Langue / Language"),
    "page_explore": ("Map and figures", "Carte et chiffres"),
    "page_upload": ("Upload a file", "Importer un fichier"),
    "page_correct": ("Correct a location", "Corriger un lieu"),
    "page_article": ("Add from article", "Ajouter depuis un article"),
    "page_quarantine": ("Quarantine", "Quarantaine"),
    # sidebar
    "filters": ("Filters", "Filtres"),
    "data_source": ("Data source", "Source des données"),
    "source_store": ("Incident store", "Base d'incidents"),
    "source_sample": ("Bundled sample", "Échantillon fourni"),
    "period": ("Period", "Période"),
    "preset": ("Preset", "Raccourci"),
    "preset_all": ("Whole record", "Toute la période"),
    "preset_30": ("Last 30 days", "30 derniers jours"),
    "preset_90": ("Last 90 days", "90 derniers jours"),
    "preset_365": ("Last 12 months", "12 derniers mois"),
    "preset_custom": ("Custom", "Personnalisée"),
    "preset_help": (
        "Counted back from the latest incident in the data.",
        "Compté à rebours depuis le dernier incident des données.",
    ),
    "country": ("Country", "Pays"),
    "admin1": ("Region (admin 1)", "Région (admin 1)"),
    "admin2": ("District (admin 2)", "Cercle / province (admin 2)"),
    "successors": ("Include regions carved out later", "Inclure les régions créées depuis"),
    "successors_help": (
        "Mali's 2023 reform split regions: with this on, Ségou also matches San.",
        "La réforme malienne de 2023 a découpé des régions : activé, Ségou inclut aussi San.",
    ),
    "near": ("Near a place or point (place, km)", "Autour d'un lieu ou d'un point (lieu, km)"),
    "near_help": ("For example Mopti, 50 km, or a point: 12.84, -4.92, 25",
                  "Par exemple Mopti, 50 km, ou un point : 12.84, -4.92, 25"),
    "table_open": ("Open an incident on the map", "Ouvrir un incident sur la carte"),
    "table_open_placeholder": (
        "Type a date, place or id, or select a row of the table",
        "Tapez une date, un lieu ou un identifiant, ou sélectionnez une ligne du tableau",
    ),
    "online_tiles": ("Online OpenStreetMap layer", "Couche OpenStreetMap en ligne"),
    "online_tiles_help": (
        "Adds live OpenStreetMap tiles to the layer control. They are fetched from the "
        "internet; the offline base map stays the default.",
        "Ajoute les tuiles OpenStreetMap en direct au choix des couches. Elles viennent "
        "d'Internet ; le fond hors ligne reste celui par défaut.",
    ),
    "basemap_import": ("Import a basemap", "Importer un fond de carte"),
    "basemap_help": (
        "A raster MBTiles file of your region (QGIS, gdal2tiles, MOBAC...). It is kept in "
        "the state folder and listed in the map's layer control. Large files: "
        "python -m incidents basemap import FILE",
        "Un fichier MBTiles raster de votre région (QGIS, gdal2tiles, MOBAC...). Il est "
        "gardé dans le dossier d'état et proposé dans le choix des couches. Gros fichiers : "
        "python -m incidents basemap import FICHIER",
    ),
    "basemap_file": ("MBTiles file", "Fichier MBTiles"),
    "basemap_imported": ("Basemap {name} imported (zoom {low} to {high}).",
                         "Fond de carte {name} importé (zoom {low} à {high})."),
    "basemap_refused": ("Not imported:", "Non importé :"),
    "open_duplicate": ("Open the incident it may duplicate",
                       "Ouvrir l'incident qu'il pourrait doubler"),
    "back_to_record": ("Back to the record", "Retour à la fiche"),
    "duplicate_missing": ("That incident is not in this data:",
                          "Cet incident n'est pas dans ces données :"),
    "reference_places": ("Places (gazetteer)", "Lieux (répertoire)"),
    "near_area": ("Near-filter circle", "Cercle du filtre de proximité"),
    "place_search": ("Find a place", "Trouver un lieu"),
    "place_search_help": (
        "A town, village or region from the offline gazetteer; the map flies there.",
        "Une ville, un village ou une région du répertoire hors ligne ; la carte s'y rend.",
    ),
    "place_not_found": ("No place of that name in the gazetteer.",
                        "Aucun lieu de ce nom dans le répertoire."),
    "near_invalid": ("Ignored, not understood: {error}", "Ignoré, incompris : {error}"),
    "drawn_area": (
        "Only incidents inside the area drawn on the map are shown.",
        "Seuls les incidents dans la zone dessinée sur la carte sont affichés.",
    ),
    "clear_drawn": ("Clear the drawn area", "Effacer la zone dessinée"),
    "draw_hint": (
        "Draw a rectangle or polygon on the map (toolbar on the left) to keep only the "
        "incidents inside it.",
        "Dessinez un rectangle ou un polygone sur la carte (barre d'outils à gauche) pour ne "
        "garder que les incidents qui s'y trouvent.",
    ),
    "choropleth": ("Colour regions by number of incidents",
                   "Colorer les régions selon le nombre d'incidents"),
    "event_type": ("Event type", "Type d'événement"),
    "sub_event_type": ("Sub-event type", "Sous-type d'événement"),
    "actor": ("Actor", "Acteur"),
    "min_fatalities": ("Minimum fatalities", "Nombre minimal de morts"),
    "max_precision": ("Maximum geo precision", "Précision géographique maximale"),
    "max_precision_help": (
        "1 = the place itself, 2 = nearby or district, 3 = region only.",
        "1 = le lieu même, 2 = à proximité ou cercle, 3 = région seulement.",
    ),
    "search": ("Search text", "Recherche"),
    "search_help": (
        "Searches location, actors, notes and source, ignoring case and accents.",
        "Cherche dans le lieu, les acteurs, les notes et la source, sans tenir compte "
        "de la casse ni des accents.",
    ),
    "reset": ("Reset filters", "Réinitialiser les filtres"),
    "any": ("any", "tous"),
    "share_hint": (
        "Filters are kept in the address bar: copy the link to share this view.",
        "Les filtres sont dans la barre d'adresse : copiez le lien pour partager cette vue.",
    ),
    "boundaries_vintage": (
        "Region names follow the source data; the bundled boundaries date from about 2018.",
        "Les noms de région suivent les données ; les limites fournies datent d'environ 2018.",
    ),
    # headline
    "incidents": ("Incidents", "Incidents"),
    "fatalities": ("Fatalities", "Morts"),
    "locations": ("Distinct locations", "Lieux distincts"),
    "precise_share": ("Placed at precision 1", "Localisés en précision 1"),
    "period_covered": ("Period covered", "Période couverte"),
    "no_period": ("no dates", "aucune date"),
    "synthetic_warning": (
        "{count} of these incidents are SYNTHETIC (generated for demonstration, not real events).",
        "{count} de ces incidents sont SYNTHÉTIQUES (générés pour la démonstration, "
        "pas des faits réels).",
    ),
    "synthetic_warning_one": (
        "{count} of these incidents is SYNTHETIC (generated for demonstration, not a real event).",
        "{count} de ces incidents est SYNTHÉTIQUE (généré pour la démonstration, "
        "pas un fait réel).",
    ),
    "synthetic_flag": ("Synthetic", "Synthétique"),
    "no_incidents": (
        "No incident matches these filters.",
        "Aucun incident ne correspond à ces filtres.",
    ),
    "store_empty": (
        "The store is empty: upload a file or load the bundled sample.",
        "La base est vide : importez un fichier ou chargez l'échantillon fourni.",
    ),
    # map
    "map": ("Map", "Carte"),
    "map_mode": ("Map shows {mode}.", "La carte affiche : {mode}."),
    "mode_points": ("one marker per incident", "un marqueur par incident"),
    "mode_cells": (
        "hexagons counting incidents (zoom in or click one for single incidents)",
        "des hexagones comptant les incidents (zoomez ou cliquez pour voir chaque incident)",
    ),
    "click_hint": (
        "Click an incident on the map to see its full record here.",
        "Cliquez sur un incident de la carte pour voir sa fiche complète ici.",
    ),
    "record": ("Incident record", "Fiche de l'incident"),
    "provenance": ("Provenance", "Provenance"),
    "not_placed": ("Not on the map for lack of coordinates: {count}",
                   "Absents de la carte faute de coordonnées : {count}"),
    # time
    "time": ("Over time", "Dans le temps"),
    "interval": ("Interval", "Intervalle"),
    "week": ("Week", "Semaine"),
    "month": ("Month", "Mois"),
    "chart_count": ("Incidents", "Incidents"),
    "chart_period": ("Period", "Période"),
    "play_period": ("Step through the period", "Parcourir la période"),
    "play_help": (
        "Show one week at a time on the map: move the slider, or press play.",
        "Afficher une semaine à la fois sur la carte : déplacez le curseur ou lancez la lecture.",
    ),
    "play_running": ("Play", "Lecture"),
    "play_speed": ("Speed", "Vitesse"),
    "play_slow": ("slow", "lente"),
    "play_normal": ("normal", "normale"),
    "play_fast": ("fast", "rapide"),
    "week_of": ("Week of {start}: {count} incidents", "Semaine du {start} : {count} incidents"),
    "week_of_one": ("Week of {start}: {count} incident", "Semaine du {start} : {count} incident"),
    # table
    "table": ("Table", "Tableau"),
    "table_rows": ("Newest incidents shown", "Incidents les plus récents affichés"),
    "table_truncated": (
        "Showing the {shown} most recent of {total} incidents; the downloads hold all of them.",
        "Affichage des {shown} incidents les plus récents sur {total} ; "
        "les téléchargements les contiennent tous.",
    ),
    "col_date": ("Date", "Date"),
    "col_location": ("Location", "Lieu"),
    "col_source": ("Source", "Source"),
    "col_link": ("Link", "Lien"),
    "open_link": ("open", "ouvrir"),
    "quarantine_intro": (
        "Rows that failed validation, with the reason; they are kept, not lost.",
        "Lignes refusées à la validation, avec la raison ; elles sont conservées.",
    ),
    "quarantine_empty": ("No quarantined rows.", "Aucune ligne en quarantaine."),
    "reason": ("Reason", "Raison"),
    "row_number": ("Row", "Ligne"),
    # export
    "export": ("Export", "Exporter"),
    "export_intro": (
        "Each file holds exactly the {count} filtered incidents.",
        "Chaque fichier contient exactement les {count} incidents filtrés.",
    ),
    "export_intro_one": (
        "Each file holds exactly the {count} filtered incident.",
        "Chaque fichier contient exactement l'incident filtré ({count}).",
    ),
    "export_large": (
        "A download of {count} incidents is built in memory first. To write a large file "
        "straight to disk instead, save it to {folder}:",
        "Un téléchargement de {count} incidents est d'abord construit en mémoire. Pour "
        "écrire un gros fichier directement sur le disque, enregistrez-le dans {folder} :",
    ),
    "export_save": ("Save {format} to the folder", "Enregistrer en {format} dans le dossier"),
    "export_saving": ("Writing the file…", "Écriture du fichier…"),
    "export_saved": ("{count} incidents written to {path}", "{count} incidents écrits dans {path}"),
    "export_geojson": ("GeoJSON", "GeoJSON"),
    "export_csv": ("CSV", "CSV"),
    "export_gpkg": ("GeoPackage", "GeoPackage"),
    "export_html": ("Standalone HTML map", "Carte HTML autonome"),
    "report_intro": (
        "Situation report of this view: map, weekly charts, top places, regions and actors "
        "against the previous period, the most severe incidents and data notes.",
        "Rapport de situation de cette vue : carte, graphiques par semaine, lieux, régions "
        "et acteurs comparés à la période précédente, incidents les plus graves et notes.",
    ),
    "report_pdf": ("Situation report (PDF)", "Rapport de situation (PDF)"),
    "report_png": ("Situation report (PNG)", "Rapport de situation (PNG)"),
    # upload
    "upload_intro": (
        "CSV, Excel, JSON or GeoJSON (or a zip holding one), at most {limit} MB: ACLED, "
        "UCDP, HDX, AWSD and GDELT files as they are, any other table through a column "
        "mapping. Rows are validated, geocoded with the offline gazetteer, then saved "
        "into the store.",
        "CSV, Excel, JSON ou GeoJSON (ou un zip qui en contient un), {limit} Mo au plus : "
        "fichiers ACLED, UCDP, HDX, AWSD et GDELT tels quels, tout autre tableau par une "
        "association de colonnes. Les lignes sont validées, géocodées avec le répertoire "
        "hors ligne, puis enregistrées dans la base.",
    ),
    "upload_file": ("File to import", "Fichier à importer"),
    "warming_up": ("Loading the incident store…", "Chargement de la base d'incidents…"),
    "upload_too_large": ("The file is too large: {error}", "Le fichier est trop volumineux : {error}"),
    "mapping_title": ("Map the file's columns", "Associer les colonnes du fichier"),
    "mapping_intro": (
        "This file does not say which column holds {missing}. Choose, for each field, the "
        "column of the file that holds it (suggestions are preselected). The mapping is "
        "remembered for the next file with the same columns.",
        "Ce fichier ne dit pas quelle colonne contient {missing}. Choisissez, pour chaque "
        "champ, la colonne du fichier qui le contient (les suggestions sont présélectionnées). "
        "L'association est mémorisée pour le prochain fichier ayant les mêmes colonnes.",
    ),
    "mapping_file_columns": ("Columns in the file: {columns}", "Colonnes du fichier : {columns}"),
    "mapping_none": ("(none)", "(aucune)"),
    "mapping_field": ("{field} ← column", "{field} ← colonne"),
    "mapping_same_type": (
        "No type column? One event type for every row",
        "Pas de colonne de type ? Un type d'événement pour toutes les lignes",
    ),
    "mapping_apply": ("Apply this mapping", "Appliquer cette association"),
    "mapping_need": (
        "Choose a column for the date and a column (or one value) for the event type.",
        "Choisissez une colonne pour la date et une colonne (ou une valeur) pour le type.",
    ),
    "mapping_used": ("Columns read with the mapping: {mapping}", "Colonnes lues avec l'association : {mapping}"),
    "sheet_choose": ("Sheet", "Feuille"),
    "quarantine_source": ("Rows of the file", "Lignes du fichier"),
    "quarantine_download": ("Download these rows to fix them (CSV)", "Télécharger ces lignes pour les corriger (CSV)"),
    "quarantine_fix_hint": (
        "The file keeps the original columns, with the reason in a last column; correct it "
        "and import it again on the upload page.",
        "Le fichier garde les colonnes d'origine, avec la raison dans une dernière colonne ; "
        "corrigez-le puis importez-le à nouveau depuis la page d'import.",
    ),
    "upload_failed": ("The file could not be read: {error}", "Le fichier n'a pas pu être lu : {error}"),
    "save_failed": ("Nothing was saved: {error}", "Rien n'a été enregistré : {error}"),
    "online_opt_in": (
        "Also ask an online geocoder for rows without coordinates (their place names are sent"
        " to it; off: the offline gazetteer only)",
        "Interroger aussi un géocodeur en ligne pour les lignes sans coordonnées (leurs noms de"
        " lieux lui sont envoyés ; désactivé : le gazetteer hors ligne seulement)"),
    "online_provider": ("Online geocoder", "Géocodeur en ligne"),
    "online_url": ("Its address (empty: its public service)",
                   "Son adresse (vide : son service public)"),
    "online_warning": ("When you save, the place names of this file's rows without coordinates"
                       " will be sent to {provider} at {endpoint}.",
                       "À l'enregistrement, les noms de lieux des lignes sans coordonnées de ce"
                       " fichier seront envoyés à {provider} à l'adresse {endpoint}."),
    "online_bad_url": ("This address cannot be used: {error}",
                       "Cette adresse n'est pas utilisable : {error}"),
    "validation_report": ("Validation report", "Rapport de validation"),
    "rows_read": ("Rows read", "Lignes lues"),
    "accepted": ("Accepted", "Acceptées"),
    "quarantined": ("Quarantined", "En quarantaine"),
    "geocoding": ("Geocoding {done} of {total}", "Géocodage {done} sur {total}"),
    "save_to_store": ("Geocode and save into the store", "Géocoder et enregistrer dans la base"),
    "saved": (
        "Saved {rows} rows: {new} new, {updated} updated, {unchanged} unchanged, "
        "{quarantined} quarantined, {merged} merged into their event.",
        "{rows} lignes enregistrées. Nouveaux : {new} ; mis à jour : {updated} ; inchangés : "
        "{unchanged} ; en quarantaine : {quarantined} ; fusionnées dans leur événement : {merged}.",
    ),
    "load_sample": ("Load the bundled sample into the store", "Charger l'échantillon fourni dans la base"),
    # correction
    "correct_intro": (
        "Pick an incident that could not be placed or is placed only roughly, then click the "
        "map or choose a gazetteer place. The change is recorded with your name.",
        "Choisissez un incident non localisé ou mal localisé, puis cliquez sur la carte ou "
        "choisissez un lieu du répertoire. La modification est enregistrée avec votre nom.",
    ),
    "correct_pick": ("Incident to place", "Incident à localiser"),
    "correct_none": (
        "Every incident is placed at precision 1.",
        "Tous les incidents sont localisés en précision 1.",
    ),
    "correct_user": ("Your name", "Votre nom"),
    "correct_click": ("Click the map where it happened.", "Cliquez sur la carte à l'endroit des faits."),
    "correct_search": ("Or search the gazetteer", "Ou cherchez dans le répertoire"),
    "correct_candidate": ("Gazetteer place", "Lieu du répertoire"),
    "correct_point": ("New point: {lat:.4f}, {lon:.4f}", "Nouveau point : {lat:.4f}, {lon:.4f}"),
    "correct_precision": ("Precision of the new point", "Précision du nouveau point"),
    "correct_remember": (
        "Remember this place for later geocoding",
        "Mémoriser ce lieu pour les géocodages suivants",
    ),
    "correct_save": ("Save the location", "Enregistrer le lieu"),
    "correct_need_user": ("Enter your name first.", "Indiquez d'abord votre nom."),
    "correct_saved": ("Location saved ({fields}).", "Lieu enregistré ({fields})."),
    "correct_unchanged": ("Nothing changed.", "Rien n'a changé."),
    # add from article
    "article_text": ("Article text (French or English)", "Texte de l'article (français ou anglais)"),
    "article_date_known": ("Publication date known", "Date de publication connue"),
    "article_date_known_help": (
        "Relative dates in the text (\"on Saturday\", \"yesterday\") are counted from it.",
        "Les dates relatives du texte (« samedi », « hier ») sont comptées à partir d'elle.",
    ),
    "article_published": ("Publication date", "Date de publication"),
    "article_url": ("Source URL (optional)", "Adresse de la source (facultatif)"),
    "article_extract": ("Extract incidents", "Extraire les incidents"),
    "article_paste_first": ("Paste the article text first.", "Collez d'abord le texte de l'article."),
    "article_none_found": ("No incident found in this text.", "Aucun incident trouvé dans ce texte."),
    "article_candidate": ("Candidate {number}: {place}, {date}", "Candidat {number} : {place}, {date}"),
    "article_unplaced": ("place unknown", "lieu inconnu"),
    "article_undated": ("date unknown", "date inconnue"),
    "article_col_field": ("Field", "Champ"),
    "article_col_value": ("Value", "Valeur"),
    "article_col_evidence": ("Words in the article", "Mots de l'article"),
    "article_col_confidence": ("Confidence", "Confiance"),
    "article_event_date": ("Event date (YYYY-MM-DD)", "Date des faits (AAAA-MM-JJ)"),
    "article_field_actor1": ("Actor 1", "Acteur 1"),
    "article_field_actor2": ("Actor 2", "Acteur 2"),
    "article_field_location": ("Location", "Lieu"),
    "article_field_admin1": ("Region (admin 1)", "Région (admin 1)"),
    "article_field_country": ("Country", "Pays"),
    "article_field_notes": ("Notes", "Notes"),
    "article_latitude": ("Latitude", "Latitude"),
    "article_longitude": ("Longitude", "Longitude"),
    "article_save": ("Save as reviewed", "Enregistrer comme vérifié"),
    "article_saved": (
        "Saved to the store. New: {new}; updated: {updated}; possible duplicates: {duplicates}.",
        "Enregistré dans la base. Nouveaux : {new} ; mis à jour : {updated} ; "
        "doublons possibles : {duplicates}.",
    ),
    "setup_missing_vendor": (
        "The map's scripts are not installed (`{path}`), so the map stays blank. In the "
        "project folder run `{command}`, then reload this page.",
        "Les scripts de la carte ne sont pas installés (`{path}`) : la carte reste vide. "
        "Dans le dossier du projet, lancez `{command}`, puis rechargez la page.",
    ),
    "setup_missing_tiles": (
        "The offline base map is not installed (`{path}`): the map has no background. "
        "In the project folder run `{command}`, then reload this page.",
        "Le fond de carte hors ligne n'est pas installé (`{path}`) : la carte n'a pas de "
        "fond. Dans le dossier du projet, lancez `{command}`, puis rechargez la page.",
    ),
    "article_extracting": (
        "Reading the article (the first one loads the language models: up to a minute)...",
        "Lecture de l'article (le premier charge les modèles de langue : jusqu'à une minute)...",
    ),
    "article_edited": (
        "Already in the store as {id}: {count} field(s) changed, recorded in its edit history.",
        "Déjà dans la base sous {id} : {count} champ(s) modifié(s), inscrit(s) dans son "
        "historique.",
    ),
    "article_user_help": (
        "Recorded with every later change to a saved candidate (blank: this computer's user).",
        "Inscrit avec chaque modification ultérieure d'un candidat enregistré (vide : "
        "l'utilisateur de cet ordinateur).",
    ),
    "article_problem_weekday": (
        "The weekday named in the text does not match the date; check the date.",
        "Le jour de la semaine cité ne correspond pas à la date ; vérifiez la date.",
    ),
    "article_problem_date": ("The date could not be worked out.", "La date n'a pas pu être déterminée."),
    "article_problem_relative_date": (
        "A relative date needs the publication date.",
        "Une date relative demande la date de publication.",
    ),
    "article_problem_no_year": (
        "The date has no year and no publication date was given.",
        "La date n'a pas d'année et aucune date de publication n'est donnée.",
    ),
    "article_problem_publication_date": (
        "No date in the text: the publication date stands in (week precision).",
        "Pas de date dans le texte : la date de publication la remplace (à la semaine près).",
    ),
    "article_problem_no_date": (
        "No date in the text and no publication date.",
        "Ni date dans le texte ni date de publication.",
    ),
    "article_problem_no_place": ("No place could be located.", "Aucun lieu n'a pu être localisé."),
    "article_problem_coarse_place": (
        "Place located only at precision {precision} (the unit containing it).",
        "Lieu localisé seulement en précision {precision} (l'unité qui le contient).",
    ),
    "article_problem_ambiguous_place": (
        "Several gazetteer places share this name.",
        "Plusieurs lieux du répertoire portent ce nom.",
    ),
    "article_problem_vague_toll": (
        "Fatalities coded from a vague quantity ({words}).",
        "Morts codés à partir d'une quantité vague ({words}).",
    ),
    "article_problem_no_actor": ("No actor recognised.", "Aucun acteur reconnu."),
    "article_problem_shared_toll": (
        "One toll was reported for several places; it is coded on the first.",
        "Un seul bilan pour plusieurs lieux ; il est codé sur le premier.",
    ),
    # record fields
    "field_event_date": ("Date", "Date"),
    "field_event_type": ("Event type", "Type d'événement"),
    "field_event_date_end": ("Last possible date", "Dernière date possible"),
    "field_event_type_original": ("Type as the source wrote it", "Type tel que la source l'a écrit"),
    "field_admin_polygon": ("Admin units at the point (region set)", "Unités administratives au point (découpage)"),
    "field_sub_event_type": ("Sub-event type", "Sous-type"),
    "field_actor1": ("Actor 1", "Acteur 1"),
    "field_actor2": ("Actor 2", "Acteur 2"),
    "field_location": ("Location", "Lieu"),
    "field_admin": ("Admin units", "Unités administratives"),
    "field_coordinates": ("Coordinates", "Coordonnées"),
    "field_geo_precision": ("Geo precision", "Précision géographique"),
    "field_time_precision": ("Time precision", "Précision temporelle"),
    "field_fatalities": ("Fatalities", "Morts"),
    "field_notes": ("Notes", "Notes"),
    "field_source": ("Source", "Source"),
    "field_source_url": ("Source link", "Lien de la source"),
    "field_source_text": ("Source text", "Texte source"),
    "field_geocode": ("Geocoding", "Géocodage"),
    "field_status": ("Status", "Statut"),
    "field_incident_id": ("Incident id", "Identifiant"),
    "field_duplicate": ("Possible duplicate of", "Doublon possible de"),
}


def is_singular(count: object, language: str = DEFAULT_LANGUAGE) -> bool:
    """Whether ``count`` (a number or a formatted figure such as "1,204") takes the singular."""
    try:
        number = float(str(count).replace(",", "").replace("\u202f", "").replace(" ", ""))
    except ValueError:
        return False
    return number in (0, 1) if language == "fr" else number == 1


# Placeholders that hold a number of incidents or rows.
COUNT_VALUES = frozenset({"count", "total", "shown", "new", "updated", "duplicates",
                          "quarantined", "done", "rows", "unchanged", "merged"})


def grouped(number: int) -> str:
    """``1 000 000``: digits grouped by narrow no-break spaces, read alike in French and English."""
    return f"{number:,}".replace(",", "\u202f")


def t(key: str, language: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """The string ``key`` in ``language`` ('en' or 'fr'), formatted with ``values``.

    With a ``count`` value and a ``<key>_one`` entry, a singular count uses that entry.
    Integer counts (``COUNT_VALUES``) are written with grouped digits.
    """
    if "count" in values and f"{key}_one" in STRINGS and is_singular(values["count"], language):
        key = f"{key}_one"
    english, french = STRINGS[key]
    text = french if language == "fr" else english
    values = {name: grouped(value) if name in COUNT_VALUES and type(value) is int else value
              for name, value in values.items()}
    return text.format(**values) if values else text
