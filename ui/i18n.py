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
    "page_admin": ("Users and audit", "Utilisateurs et audit"),
    # sign-in (ui/signin.py)
    "signin_title": ("Sign in", "Connexion"),
    "signin_name": ("Name", "Nom"),
    "signin_password": ("Password", "Mot de passe"),
    "signin_submit": ("Sign in", "Se connecter"),
    "signin_wrong": ("Wrong name or password.", "Nom ou mot de passe incorrect."),
    "signin_as": ("Signed in as {name} ({role})", "Connecté : {name} ({role})"),
    "signin_sign_out": ("Sign out", "Se déconnecter"),
    "signin_single_user": (
        "No users configured: single user on this machine, recorded as {name}.",
        "Aucun utilisateur configuré : un seul utilisateur, sur cette machine, enregistré"
        " sous le nom {name}.",
    ),
    "signin_not_allowed": ("Your role ({role}) does not allow this.",
                           "Votre rôle ({role}) ne le permet pas."),
    # admin page (ui/admin.py)
    "admin_users": ("Users", "Utilisateurs"),
    "admin_users_none": (
        "No users configured: the dashboard is single-user on this machine. Add the first admin"
        " with `python -m incidents users add NAME --role admin`, then sign in.",
        "Aucun utilisateur configuré : le tableau de bord n'a qu'un utilisateur, sur cette"
        " machine. Ajoutez le premier administrateur avec"
        " `python -m incidents users add NOM --role admin`, puis connectez-vous.",
    ),
    "admin_role": ("Role", "Rôle"),
    "admin_active": ("active", "actif"),
    "admin_disabled": ("disabled", "désactivé"),
    "admin_add": ("Add a user (or give an existing one a new password)",
                  "Ajouter un utilisateur (ou changer le mot de passe d'un utilisateur)"),
    "admin_add_button": ("Add the user", "Ajouter l'utilisateur"),
    "admin_user_pick": ("User", "Utilisateur"),
    "admin_set_role": ("Change the role", "Changer le rôle"),
    "admin_disable": ("Disable", "Désactiver"),
    "admin_enable": ("Enable", "Réactiver"),
    "admin_changed": ("{name}: {role}, {state}.", "{name} : {role}, {state}."),
    "admin_audit": ("Audit log of edits", "Journal des modifications"),
    "admin_log_empty": ("No edit yet.", "Aucune modification pour l'instant."),
    "admin_revert_pick": ("Edit to revert (each field still as that edit left it)",
                          "Modification à annuler (chaque champ encore tel qu'elle l'a laissé)"),
    "admin_revert": ("Revert this edit", "Annuler cette modification"),
    "admin_reverted": ("Reverted edit #{edit}: {fields} of {id} are back as they were; the revert"
                       " is in the log under your name.",
                       "Modification n° {edit} annulée : {fields} de {id} reviennent à leur valeur"
                       " d'avant ; l'annulation figure au journal à votre nom."),
    "page_duplicates": ("Duplicates", "Doublons"),
    # sidebar
    "filters": ("Filters", "Filtres"),
    "data_source": ("Data source", "Source des données"),
    "source_store": ("Incident store", "Base d'incidents"),
    "source_sample": ("Bundled sample", "Échantillon fourni"),
    "period": ("Period", "Période"),
    "preset": ("Preset", "Raccourci"),
    "preset_all": ("Whole record", "Toute la période"),
    "preset_7": ("Last 7 days", "7 derniers jours"),
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
        "An MBTiles or PMTiles file of your region, raster (QGIS, gdal2tiles, MOBAC...) or "
        "vector (tilemaker, planetiler...). It is kept in the state folder and listed in the "
        "map's layer control. Large files: python -m incidents basemap import FILE",
        "Un fichier MBTiles ou PMTiles de votre région, raster (QGIS, gdal2tiles, MOBAC...) "
        "ou vectoriel (tilemaker, planetiler...). Il est gardé dans le dossier d'état et "
        "proposé dans le choix des couches. Gros fichiers : "
        "python -m incidents basemap import FICHIER",
    ),
    "basemap_file": ("MBTiles or PMTiles file", "Fichier MBTiles ou PMTiles"),
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
        "choisissez un lieu du répertoire. La modification est enregistrée à votre nom.",
    ),
    "correct_pick": ("Incident to place", "Incident à localiser"),
    "correct_none": (
        "Every incident is placed at precision 1.",
        "Tous les incidents sont localisés en précision 1.",
    ),
    "correct_as": ("The change is recorded as {name}.", "La modification est enregistrée au nom de {name}."),
    "correct_history": ("History of this incident ({count} edits)", "Historique de cet incident ({count} modifications)"),
    "correct_history_one": ("History of this incident ({count} edit)", "Historique de cet incident ({count} modification)"),
    "correct_conflict": (
        "Not saved: {id} was changed by someone else since you opened it ({changes}). The page"
        " now shows the current values; place it again if your change still stands.",
        "Non enregistré : {id} a été modifié par quelqu'un d'autre depuis que vous l'avez ouvert"
        " ({changes}). La page montre maintenant les valeurs actuelles ; localisez-le à nouveau si"
        " votre modification tient toujours.",
    ),
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
    "status_ok": ("OK", "Valide"),
    "status_needs_review": ("Needs review", "À vérifier"),
    "status_rejected": ("Rejected", "Rejeté"),
    "status_merged": ("Merged into another", "Fusionné dans un autre"),
    "field_incident_id": ("Incident id", "Identifiant"),
    "field_duplicate": ("Possible duplicate of", "Doublon possible de"),
    # duplicate review and the headline's count-once toggle
    "duplicates_intro": (
        "Incidents the import flagged as possible reports of one event by different sources, "
        "side by side. Keep both: they are two events; the flag is cleared (recorded in each "
        "incident's history) and the pair is not flagged again. Merge: one incident survives "
        "and keeps every source (names, ids, links, notes); the others stay stored, marked "
        "merged into it, and no longer appear on the map, in the table or in the figures.",
        "Incidents que l'import a signalés comme des récits possibles d'un même événement par "
        "des sources différentes, côte à côte. Garder les deux : ce sont deux événements ; le "
        "signalement est levé (inscrit dans l'historique de chaque incident) et la paire n'est "
        "plus signalée. Fusionner : un incident est conservé et garde toutes les sources (noms, "
        "identifiants, liens, notes) ; les autres restent enregistrés, marqués fusionnés dans "
        "celui-ci, et ne figurent plus sur la carte, dans le tableau ni dans les chiffres.",
    ),
    "duplicates_store_only": ("Duplicates are reviewed in the incident store.",
                              "Les doublons se vérifient dans la base d'incidents."),
    "duplicates_none": ("No possible duplicates left to review.",
                        "Aucun doublon possible à vérifier."),
    "duplicates_count": ("{count} groups of possible duplicates to review.",
                         "{count} groupes de doublons possibles à vérifier."),
    "duplicates_count_one": ("{count} group of possible duplicates to review.",
                             "{count} groupe de doublons possibles à vérifier."),
    "duplicates_listed": ("The {count} with the newest events are listed.",
                          "Les {count} aux événements les plus récents sont listés."),
    "duplicates_pick": ("Group to review", "Groupe à vérifier"),
    "duplicates_survivor": ("Incident kept when merging", "Incident conservé en cas de fusion"),
    "duplicates_survivor_help": (
        "Its date, place, type and fatalities stay; the others' sources and notes are added.",
        "Sa date, son lieu, son type et ses morts restent ; les sources et notes des autres "
        "s'y ajoutent.",
    ),
    "duplicates_keep": ("Keep both (two events)", "Garder les deux (deux événements)"),
    "duplicates_merge": ("Merge into the chosen incident", "Fusionner dans l'incident choisi"),
    "duplicates_merged": ("{count} incidents merged into {survivor}.",
                          "{count} incidents fusionnés dans {survivor}."),
    "duplicates_merged_one": ("{count} incident merged into {survivor}.",
                              "{count} incident fusionné dans {survivor}."),
    "duplicates_kept": ("Kept as separate incidents: {ids}.",
                        "Gardés comme incidents distincts : {ids}."),
    "duplicates_undo": ("Undo a merge", "Annuler une fusion"),
    "duplicates_undo_none": ("No merged incidents.", "Aucun incident fusionné."),
    "duplicates_undo_pick": ("Incident others were merged into",
                             "Incident dans lequel d'autres ont été fusionnés"),
    "duplicates_undo_button": ("Undo its latest merge", "Annuler sa dernière fusion"),
    "duplicates_undone": ("Merge undone: {ids}.", "Fusion annulée : {ids}."),
    "duplicates_once": ("Count possible duplicates once", "Compter une fois les doublons possibles"),
    "duplicates_once_help": (
        "Each group of incidents flagged as reports of one event counts as one incident, "
        "with the largest death toll its reports give (not their sum: two reports of one "
        "attack are two estimates of one toll). Off, every report counts. Merged incidents "
        "always count once.",
        "Chaque groupe d'incidents signalés comme récits d'un même événement compte pour un "
        "incident, avec le plus grand nombre de morts donné par ses récits (pas leur somme : "
        "deux récits d'une attaque sont deux estimations d'un même bilan). Désactivé, chaque "
        "récit compte. Les incidents fusionnés comptent toujours une fois.",
    ),
    # quarantine discards and import history
    "discard_title": ("Discard rows", "Écarter des lignes"),
    "discard_intro": (
        "Rows that will never be incidents can be discarded: they leave this list but stay "
        "counted in their import's history, and the discard (who, when, how many, which "
        "reasons) is recorded. To fix rows instead, download them above, correct the file "
        "and upload it again, then discard the old rows here.",
        "Les lignes qui ne seront jamais des incidents peuvent être écartées : elles quittent "
        "cette liste mais restent comptées dans l'historique de leur import, et l'opération "
        "(qui, quand, combien, pour quelles raisons) est enregistrée. Pour corriger des lignes, "
        "téléchargez-les ci-dessus, corrigez le fichier, importez-le de nouveau, puis écartez "
        "ici les anciennes lignes.",
    ),
    "discard_reasons": ("Reasons of the rows to discard", "Raisons des lignes à écarter"),
    "discard_note": ("Note (why they are discarded)", "Note (pourquoi elles sont écartées)"),
    "discard_button": ("Discard {count} rows", "Écarter {count} lignes"),
    "discard_button_one": ("Discard {count} row", "Écarter {count} ligne"),
    "discard_done": ("{count} rows discarded by {user}.", "{count} lignes écartées par {user}."),
    "discard_done_one": ("{count} row discarded by {user}.", "{count} ligne écartée par {user}."),
    "discard_history": ("Discarded rows", "Lignes écartées"),
    "import_history": ("Import history", "Historique des imports"),
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
