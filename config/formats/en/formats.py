# International English dates for the "en" interface: day month year, 24-hour clock
# (deadlines are in Beijing time and read the same way in both languages).
DATE_FORMAT = "j F Y"  # 1 March 2025
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "j F Y, H:i"  # 1 March 2025, 14:30
YEAR_MONTH_FORMAT = "F Y"  # March 2025
MONTH_DAY_FORMAT = "j F"  # 1 March
SHORT_DATE_FORMAT = "d/m/Y"  # 01/03/2025
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 01/03/2025 14:30
FIRST_DAY_OF_WEEK = 1  # Monday
