"""Place-name romanization (地名罗马字母拼写) by GB/T 16159-2012 and 《中国地名汉语拼音字母拼写规则（汉语地名部分）》.

``romanize(name)`` returns the toneless form for signs ("Mudanjiang Shi"), the tone-marked form for
records ("Mǔdānjiāng Shì"), the parts (proper 专名 / generic 通名) and one decision per character
saying what decided its reading.

What is implemented:

- Proper and generic parts are written apart, each capitalised: 牡丹江市 Mudanjiang Shi,
  镜泊湖 Jingpo Hu. The generic is the longest term of data/reference/generic_terms.csv that the name
  ends with. A one-character proper name is written apart too (泰山 Tai Shan, as GB/T 16159-2012).
  A name that is only a generic word (农场, 社区) is one proper word.
- Ethnic names before the generic are words of their own: 江南朝鲜族满族乡 Jiangnan Chaoxianzu Manzu
  Xiang, 延边朝鲜族自治州 Yanbian Chaoxianzu Zizhizhou.
- A generic that has become part of the proper name stays in it: 黑龙江省 Heilongjiang Sheng,
  绥芬河市 Suifenhe Shi, 横道河子镇 Hengdaohezi Zhen. Natural-feature generics (山 河 江 沟 …) inside
  the name are never split.
- Units named inside units are written word by word, from the end: after the final generic, an
  administrative, village, street or facility generic of two or more characters is split off as long as
  something stays before it (七峰林场生活区 Qifeng Linchang Shenghuoqu, 柴市社区居委会 Chaishi Shequ
  Juweihui), and so is a one-character 市/县/区/镇/乡/村 after at least two characters (东新村村委会
  Dongxin Cun Cunweihui; but 一村村委会 Yicun Cunweihui, 山市镇 Shanshi Zhen), an ordinal 第N
  (东街办事处第一居民委员会 Dongjie Banshichu Diyi Jumin Weiyuanhui) and a parenthesised name.
- Committees: 居委会 Juweihui, 村委会 Cunweihui (abbreviations, one word), 居民委员会 Jumin
  Weiyuanhui, 村民委员会 Cunmin Weiyuanhui (two words each, GB/T 16159-2012 word division).
- A name without a generic is one word; ``natural_settlement=True`` writes a whole name as one word,
  as the rules do for natural villages and towns (王村 Wangcun, 石河 as a village Shihe).
- Apostrophe before a non-initial syllable of a word that starts with a, o or e: 西安 Xi'an, 东安 Dong'an.
- Ordinals in street names are digits when they end the proper name: 经五路 Jing 5 Lu. Elsewhere
  numerals stay pinyin (第一居委会 Diyi Juweihui; 五一路 Wuyi Lu): the digit rule is for streets.
- Tone marks only in the tone form; neutral-tone syllables carry none (横道河子 Héngdàohézi).
  ü stays ü (绿山 Lüshan); after j, q, x, y pinyin writes it u anyway.
- Latin letters and digits pass through as words of their own.

Readings: word entries of data/reference/place_readings.csv first (longest match: 穆棱 mù líng), then
the generic table's reading for generic words, then rules (子 after another character of its word is the
neutral suffix zi), then per-character entries, then pypinyin where it knows a single reading. Only
what is left falls back to pypinyin's default, which the decision records as "default".
"""

from gazetteer.romanization.engine import Decision, Part, Romanization, romanize

__all__ = ["Decision", "Part", "Romanization", "romanize"]
