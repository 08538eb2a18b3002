// The OWL API and HermiT checks of the ontology, offline: load ontology/hck.ttl (or any module)
// through the IRI mappings of a Protégé catalog (catalog-v001.xml), merge its imports closure,
// run the OWL 2 DL profile check, then HermiT on the ontology, or on the data and the ontology.
//
// Usage: java -cp HermiT.jar:DIR OwlCheck CATALOG ONTOLOGY [DATA]
// DATA (Turtle) imports the ontology, so that its terms are read with the declarations.
// Output, one fact a line: "imports N", "violation <text>" per profile violation,
// "violations N", "consistent true|false", "unsatisfiable <IRI>" per class, "unsatisfiables N".
// Exit 0 when it ran (whatever it found), 2 when something could not be loaded.
import java.io.File;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.semanticweb.HermiT.Configuration;
import org.semanticweb.HermiT.Reasoner;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.util.OWLOntologyMerger;
import org.semanticweb.owlapi.util.SimpleIRIMapper;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

public class OwlCheck {
    static OWLOntology load(OWLOntologyManager manager, File file) {
        try {
            return manager.loadOntologyFromOntologyDocument(file);
        } catch (OWLOntologyCreationException e) {
            System.err.println("error: " + file + ": " + e.getClass().getSimpleName() + ": "
                + e.getMessage());
            System.exit(2);
            return null;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: OwlCheck CATALOG ONTOLOGY [DATA ...]");
            System.exit(2);
        }
        File catalog = new File(args[0]);
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        manager.clearIRIMappers();  // offline: only what the catalog maps
        NodeList uris = DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(catalog).getElementsByTagName("uri");
        for (int i = 0; i < uris.getLength(); i++) {
            Element uri = (Element) uris.item(i);
            File file = new File(catalog.getParentFile(), uri.getAttribute("uri"));
            manager.addIRIMapper(new SimpleIRIMapper(
                IRI.create(uri.getAttribute("name")), IRI.create(file.getCanonicalFile())));
        }
        OWLOntology root = load(manager, new File(args[1]));
        System.out.println("imports " + root.getImportsClosure().size());
        OWLOntology merged = new OWLOntologyMerger(manager)
            .createMergedOntology(manager, IRI.create("urn:hck:merged"));
        OWLProfileReport report = new OWL2DLProfile().checkOntology(merged);
        for (OWLProfileViolation v : report.getViolations()) {
            System.out.println("violation " + v.toString().replace('\n', ' '));
        }
        System.out.println("violations " + report.getViolations().size());
        OWLOntology reasoned = merged;
        if (args.length > 2) {  // data that imports the ontology, reasoned on with it
            OWLOntology data = load(manager, new File(args[2]));
            reasoned = new OWLOntologyMerger(manager)
                .createMergedOntology(manager, IRI.create("urn:hck:merged-data"));
        }
        Configuration configuration = new Configuration();
        configuration.ignoreUnsupportedDatatypes = true;
        Reasoner reasoner = new Reasoner(configuration, reasoned);
        boolean consistent = reasoner.isConsistent();
        System.out.println("consistent " + consistent);
        int unsatisfiable = 0;
        if (consistent) {
            Set<OWLClass> bottom = reasoner.getUnsatisfiableClasses().getEntitiesMinusBottom();
            for (OWLClass c : bottom) {
                System.out.println("unsatisfiable " + c.getIRI());
                unsatisfiable++;
            }
        }
        System.out.println("unsatisfiables " + unsatisfiable);
    }
}
