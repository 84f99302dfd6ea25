#!/usr/bin/env python3
"""Writes the bioS value pools under src/main/resources/refinery/bios/.

Run once; the files are committed and are the source of truth (the Java code only reads them). Names,
universities and employers are made up by combining syllables with a fixed seed, so they are plausible,
distinct and belong to nobody; cities and majors are real ones, listed here by hand.
"""
import os
import random

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "main", "resources", "refinery", "bios")
rng = random.Random(20240531)

ONSETS = ["b", "br", "c", "ch", "cl", "d", "dr", "f", "fr", "g", "gr", "h", "j", "k", "l", "m", "n", "p", "pr",
          "r", "s", "sh", "st", "t", "th", "tr", "v", "w", "z", "al", "el", "or", "an", "is"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ie", "ou", "y"]
CODAS = ["", "", "n", "r", "l", "s", "th", "m", "nd", "rt", "ck", "x", "ld", "st"]
FEMALE_END = ["a", "ia", "elle", "ine", "ette", "ora", "issa", "anna", "ie", "yn", "ara", "ina"]
MALE_END = ["o", "an", "er", "us", "iel", "on", "ard", "as", "ic", "en", "ius", "ert"]
LAST_END = ["son", "ley", "ton", "wood", "field", "man", "er", "ford", "well", "berg", "ridge", "worth", "ez", "ski",
            "ova", "stein", "more", "lund", "dale", "ham", "ing", "ett", "ard", "ani"]


def syllable():
    return rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)


def word(endings, syllables):
    stem = "".join(syllable() for _ in range(syllables))
    w = stem + rng.choice(endings)
    # squeeze triple letters and awkward clusters a reader would stumble on
    out = []
    for ch in w:
        if len(out) >= 2 and out[-1] == ch and out[-2] == ch:
            continue
        out.append(ch)
    return "".join(out).capitalize()


def pool(n, make, taken):
    values = []
    while len(values) < n:
        w = make()
        if 4 <= len(w) <= 11 and w not in taken:
            taken.add(w)
            values.append(w)
    return values


taken = set()
female = pool(200, lambda: word(FEMALE_END, 1), taken)
male = pool(200, lambda: word(MALE_END, 1), taken)
middle = pool(400, lambda: word(FEMALE_END + MALE_END, rng.choice([1, 2])), taken)
last = pool(1000, lambda: word(LAST_END, rng.choice([1, 2])), taken)

CITIES = """
Aberdeen, Scotland|Accra, Ghana|Adelaide, Australia|Albuquerque, NM|Alexandria, Egypt|Almaty, Kazakhstan
Amsterdam, Netherlands|Anchorage, AK|Ann Arbor, MI|Antwerp, Belgium|Asheville, NC|Athens, Greece
Atlanta, GA|Auckland, New Zealand|Austin, TX|Baltimore, MD|Bangalore, India|Barcelona, Spain
Basel, Switzerland|Bergen, Norway|Berlin, Germany|Bilbao, Spain|Birmingham, England|Bogota, Colombia
Bologna, Italy|Bordeaux, France|Boston, MA|Boulder, CO|Bratislava, Slovakia|Bremen, Germany
Brisbane, Australia|Bristol, England|Brno, Czech Republic|Brussels, Belgium|Bucharest, Romania
Budapest, Hungary|Buenos Aires, Argentina|Buffalo, NY|Burlington, VT|Cairo, Egypt|Calgary, Canada
Cambridge, MA|Cape Town, South Africa|Cardiff, Wales|Charleston, SC|Charlotte, NC
Chennai, India|Chicago, IL|Cincinnati, OH|Cleveland, OH|Cologne, Germany|Columbus, OH|Copenhagen, Denmark
Cork, Ireland|Curitiba, Brazil|Dallas, TX|Davis, CA|Denver, CO|Des Moines, IA|Detroit, MI|Dresden, Germany
Dublin, Ireland|Durban, South Africa|Durham, NC|Edinburgh, Scotland|Edmonton, Canada
Eugene, OR|Florence, Italy|Fort Collins, CO|Frankfurt, Germany|Fukuoka, Japan|Gainesville, FL
Galway, Ireland|Geneva, Switzerland|Genoa, Italy|Ghent, Belgium|Glasgow, Scotland|Gothenburg, Sweden
Granada, Spain|Graz, Austria|Guadalajara, Mexico|Halifax, Canada|Hamburg, Germany|Hanoi, Vietnam
Hartford, CT|Heidelberg, Germany|Helsinki, Finland|Honolulu, HI|Houston, TX|Hyderabad, India
Indianapolis, IN|Istanbul, Turkey|Ithaca, NY|Jacksonville, FL|Jaipur, India|Kansas City, MO|Kraków, Poland
Kyoto, Japan|Lagos, Nigeria|Las Vegas, NV|Leeds, England|Leipzig, Germany|Lexington, KY
Lille, France|Lima, Peru|Lisbon, Portugal|Liverpool, England|Ljubljana, Slovenia|Louisville, KY
Lyon, France|Madison, WI|Madrid, Spain|Malmö, Sweden|Manchester, England|Marseille, France
Melbourne, Australia|Memphis, TN|Mexico City, Mexico|Miami, FL|Milan, Italy|Milwaukee, WI
Minneapolis, MN|Montevideo, Uruguay|Montreal, Canada|Munich, Germany|Nagoya, Japan|Nairobi, Kenya
Nantes, France|Naples, Italy|Nashville, TN|New Haven, CT|New Orleans, LA|Newcastle, England
Nottingham, England|Oakland, CA|Omaha, NE|Osaka, Japan|Oslo, Norway|Ottawa, Canada|Oxford, England
Palermo, Italy|Pasadena, CA|Perth, Australia|Philadelphia, PA|Phoenix, AZ|Pittsburgh, PA|Porto, Portugal
Portland, OR|Prague, Czech Republic|Princeton, NJ|Providence, RI|Pune, India|Quebec City, Canada
Quito, Ecuador|Raleigh, NC|Reykjavik, Iceland|Richmond, VA|Riga, Latvia|Rochester, NY
Rome, Italy|Rotterdam, Netherlands|Sacramento, CA|Saint Louis, MO|Salt Lake City, UT|Salzburg, Austria
San Antonio, TX|San Diego, CA|San Jose, CA|Santa Fe, NM|Santiago, Chile|Sapporo, Japan|Savannah, GA
Seattle, WA|Seoul, South Korea|Seville, Spain|Sheffield, England|Singapore|Sofia, Bulgaria
Stockholm, Sweden|Strasbourg, France|Stuttgart, Germany|Sydney, Australia|Syracuse, NY
Tallinn, Estonia|Tampa, FL|Toronto, Canada|Toulouse, France|Tucson, AZ
Turin, Italy|Utrecht, Netherlands|Valencia, Spain|Vancouver, Canada|Vienna, Austria|Vilnius, Lithuania
Warsaw, Poland|Wellington, New Zealand|Winnipeg, Canada|Wroclaw, Poland|Zagreb, Croatia|Zurich, Switzerland
"""
cities = [c.strip() for line in CITIES.strip().splitlines() for c in line.split("|") if c.strip()]

MAJORS = """
Accounting|Aerospace Engineering|African Studies|Agricultural Science|Animal Science|Anthropology
Applied Mathematics|Archaeology|Architecture|Art History|Astronomy|Astrophysics|Biochemistry
Bioengineering|Biology|Biomedical Engineering|Biostatistics|Botany|Business Administration
Chemical Engineering|Chemistry|Chinese Studies|Civil Engineering|Classics|Cognitive Science
Communications|Comparative Literature|Computer Engineering|Computer Science|Construction Management
Creative Writing|Criminology|Dance|Data Science|Dentistry|Earth Sciences|Economics|Education
Electrical Engineering|Energy Engineering|English Literature|Entomology|Environmental Engineering
Environmental Science|Epidemiology|Ethnic Studies|Film Studies|Finance|Fine Arts|Food Science
Forestry|French Literature|Genetics|Geography|Geology|Graphic Design|Health Administration|History
Hospitality Management|Human Resources|Industrial Design|Industrial Engineering|Information Systems
International Relations|Journalism|Kinesiology|Landscape Architecture|Latin American Studies|Law
Linguistics|Management|Marine Biology|Marketing|Materials Science|Mathematics|Mechanical Engineering
Media Studies|Microbiology|Molecular Biology|Music|Music Theory|Neuroscience|Nuclear Engineering|Nursing
Nutrition|Oceanography|Operations Research|Pharmacology|Philosophy|Photography|Physics|Political Science
Psychology|Public Health|Public Policy|Religious Studies|Sociology|Statistics|Theater|Urban Planning
"""
majors = [m.strip() for line in MAJORS.strip().splitlines() for m in line.split("|") if m.strip()]

PLACE_END = ["ford", "ton", "field", "vale", "brook", "haven", "mont", "wick", "ridge", "port", "bury", "lake"]
place_taken = set(taken)
places = pool(400, lambda: word(PLACE_END, rng.choice([1, 2])), place_taken)
uni_forms = ["University of {}", "{} University", "{} State University", "{} College", "{} Institute of Technology",
             "{} Polytechnic University"]
universities = []
seen = set()
for i, p in enumerate(places):
    u = uni_forms[i % len(uni_forms)].format(p)
    if u not in seen:
        seen.add(u)
        universities.append(u)
    if len(universities) == 300:
        break

COMPANY_END = ["Systems", "Labs", "Industries", "Analytics", "Dynamics", "Networks", "Foods", "Logistics",
               "Energy", "Health", "Robotics", "Media", "Financial", "Motors", "Pharmaceuticals", "Software",
               "Materials", "Partners", "Aerospace", "Biotech", "Textiles", "Instruments", "Capital", "Studios"]
company_taken = set(place_taken)
stems = pool(263, lambda: word(["ex", "ion", "ar", "is", "ova", "ent", "ium", "ix", "ra", "on"], 1), company_taken)
employers = []
for i, s in enumerate(stems):
    name = s + " " + COMPANY_END[rng.randrange(len(COMPANY_END))]
    employers.append(name + "\t" + cities[rng.randrange(len(cities))])

assert len(female) == 200 and len(male) == 200 and len(middle) == 400 and len(last) == 1000
assert len(cities) == len(set(cities)) == 200, len(cities)
assert len(majors) == len(set(majors)) == 100, len(majors)
assert len(universities) == 300 and len(employers) == 263
for v in female + male + middle + last + cities + majors + universities + employers:
    assert "." not in v and "{" not in v, v


def write(name, header, rows):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        f.write("# " + header + "\n")
        for r in rows:
            f.write(r + "\n")


write("first_names.tsv", "first name <TAB> gender (female|male); 400 made-up names, generated by tools/make_pools.py",
      [n + "\tfemale" for n in female] + [n + "\tmale" for n in male])
write("middle_names.txt", "400 made-up middle names, generated by tools/make_pools.py", middle)
write("last_names.txt", "1000 made-up last names, generated by tools/make_pools.py", last)
write("birth_cities.txt", "200 birth cities", cities)
write("universities.txt", "300 made-up universities, generated by tools/make_pools.py", universities)
write("majors.txt", "100 majors", majors)
write("employers.tsv", "employer <TAB> the city it is in; 263 made-up employers, generated by tools/make_pools.py",
      employers)
