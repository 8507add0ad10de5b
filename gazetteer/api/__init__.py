"""The gazetteer's HTTP API, thin views over gazetteer.services and gazetteer.search.

places: the records (read, create, update, names, retire, history, categories); search: search,
type-ahead and reverse lookup; io: import and export files; naming: naming applications and their
notices; open_data: the open-data manifest, files and page; romanize: the romanizer. inputs turns
what they are sent into model values, with a clear error for each way it can be wrong.
"""
