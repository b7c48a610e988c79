-- 004: settings kept in the database, for what a person sets up after the first start (`callfilter setup`, the web
-- page's setup form): the home country and area code. The environment and the config file win over these rows.
-- Keys are the environment variables' names (CALLFILTER_HOME_AREA_CODE); values are text as a person would write
-- them in the environment, checked by the same rules before they are stored and again when they are read.

CREATE TABLE settings (
  key        TEXT PRIMARY KEY CHECK (key GLOB 'CALLFILTER_*'),
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
