from django.db import models


class UnitLevel(models.TextChoices):
    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"


class AgencyLevel(models.TextChoices):
    CENTRAL = "central", "中央和国家机关"
    PROVINCIAL = "provincial", "省级机关"
    MUNICIPAL = "municipal", "市级机关"
    COUNTY = "county", "县级机关"
