"""The registry of dishonesty lists (失信联合惩戒对象名单) with full history."""
